import { z } from 'zod';
import { MAX_MESSAGE_ID_LENGTH, MAX_TEXT_LENGTH, POLL_OPTIONS } from './limits.ts';
import { MediaFileSchema, type MediaKind } from './media.ts';
import { isBlankText, textLength } from './text.ts';

/**
 * What a message says, one shape per kind: WaGate stores it with the message (and its outbox job), sends it from
 * there (server/whatsapp/message-content.ts turns it into Baileys' content, the same on every resend) and shows it in
 * `GET /messages`, events and webhooks, where the kind's fields sit beside the message's own.
 *
 * A new kind is: a schema here, added to `MessageContentSchema`; its case in `toBaileysContent`
 * (server/whatsapp/message-content.ts), which the type-check asks for; and, to be received, its case in
 * `toInboundMessage` (server/whatsapp/message-mapping.ts). Its request body and route sit beside the others.
 */

/** A message of the chat that a reaction, an edit or a delete is about, as WhatsApp addresses it. */
export const MessageTargetSchema = z.object({
  message_id: z.string().min(1).max(MAX_MESSAGE_ID_LENGTH),
  /** Whether this account sent it. */
  from_me: z.boolean(),
  /** Group chats: who sent it (WhatsApp keys a group message by its author too); null otherwise. */
  participant: z.string().nullable(),
});
export type MessageTarget = z.infer<typeof MessageTargetSchema>;

/** A message's text: something visible, valid Unicode, and at most MAX_TEXT_LENGTH characters. */
export const MessageText = z
  .string({ error: 'Text field is required' })
  .refine((text) => !isBlankText(text), 'Text field is required')
  // A lone UTF-16 surrogate cannot be stored as it was sent, so it would be altered on the way: refuse it.
  .refine((text) => text.isWellFormed(), 'Text must be valid Unicode (it holds a lone surrogate)')
  .refine(
    (text) => textLength(text) <= MAX_TEXT_LENGTH,
    `Text is longer than WhatsApp allows (${MAX_TEXT_LENGTH} characters)`,
  )
  .meta({
    description: `What the message says: at least one visible character, at most ${MAX_TEXT_LENGTH} characters (Unicode code points)`,
    minLength: 1,
    maxLength: MAX_TEXT_LENGTH,
  });

export const TextContentSchema = z.object({
  kind: z.literal('text'),
  text: MessageText,
});

export const LocationContentSchema = z.object({
  kind: z.literal('location'),
  location: z.object({
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    name: z.string().nullable(),
    address: z.string().nullable(),
  }),
});

export const ContactCardSchema = z.object({
  name: z.string(),
  /** Digits with country code, as WhatsApp's `waid` takes them. */
  phone: z.string(),
  email: z.string().nullable(),
  organization: z.string().nullable(),
});
export type ContactCard = z.infer<typeof ContactCardSchema>;

export const ContactCardContentSchema = z.object({
  kind: z.literal('contact_card'),
  contacts: z.array(ContactCardSchema).min(1),
});

export const PollContentSchema = z.object({
  kind: z.literal('poll'),
  poll: z.object({
    question: z.string(),
    options: z.array(z.string()).min(POLL_OPTIONS.min).max(POLL_OPTIONS.max),
    /** How many options one person may choose; 0 means any number. */
    selectable_count: z.number().int().min(0),
  }),
});

export const ReactionContentSchema = z.object({
  kind: z.literal('reaction'),
  target: MessageTargetSchema,
  /** One emoji; "" takes our reaction away. */
  emoji: z.string(),
});

export const EditContentSchema = z.object({
  kind: z.literal('edit'),
  target: MessageTargetSchema,
  /** The text the message now says. */
  text: MessageText,
});

export const DeleteContentSchema = z.object({
  kind: z.literal('delete'),
  target: MessageTargetSchema,
});

/**
 * A media file as a message carries it: what it is (sniffed from its bytes), its SHA-256, and what WhatsApp shows
 * besides the file. `url` is where WaGate serves it (`GET /messages/{message_id}/media`).
 */
export const MessageMediaSchema = MediaFileSchema.extend({
  url: z.string(),
  /** Audio, voice notes and videos, when their container says. */
  seconds: z.number().int().nullable(),
  /** Images. */
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  /** Voice notes: 64 bars of 0–100, as WhatsApp draws them. */
  waveform: z.array(z.number().int()).nullable(),
});
export type MessageMedia = z.infer<typeof MessageMediaSchema>;

const mediaContent = <K extends MediaKind>(kind: K) =>
  z.object({
    kind: z.literal(kind),
    /** Images, videos and documents; null for the others. */
    caption: z.string().nullable(),
    media: MessageMediaSchema,
  });

export const ImageContentSchema = mediaContent('image');
export const VideoContentSchema = mediaContent('video');
export const AudioContentSchema = mediaContent('audio');
export const VoiceContentSchema = mediaContent('voice');
export const DocumentContentSchema = mediaContent('document');
export const StickerContentSchema = mediaContent('sticker');

/** A message someone sent us of a kind WaGate does not read yet (never sent): WhatsApp's own name for its type. */
export const OtherContentSchema = z.object({
  kind: z.literal('other'),
  whatsapp_type: z.string().nullable(),
});

export const MessageContentSchema = z.discriminatedUnion('kind', [
  TextContentSchema,
  LocationContentSchema,
  ContactCardContentSchema,
  PollContentSchema,
  ReactionContentSchema,
  EditContentSchema,
  DeleteContentSchema,
  ImageContentSchema,
  VideoContentSchema,
  AudioContentSchema,
  VoiceContentSchema,
  DocumentContentSchema,
  StickerContentSchema,
  OtherContentSchema,
]);
export type MessageContent = z.infer<typeof MessageContentSchema>;
export type MessageKind = MessageContent['kind'];
export type ContentOf<K extends MessageKind> = Extract<MessageContent, { kind: K }>;
export type MediaContent = ContentOf<MediaKind>;

/** Whether a message is a media file (its `media` says which). */
export const isMediaContent = (content: MessageContent): content is MediaContent => 'media' in content;

export const MessageKindSchema = z.enum(MessageContentSchema.options.map((o) => o.shape.kind.value) as [MessageKind]);

/** The content of a message as the API shows it (its own fields and its kind's side by side): the kind's fields only. */
export function contentOf(message: MessageContent): MessageContent {
  const member = MessageContentSchema.options.find((o) => o.shape.kind.value === message.kind)!;
  const fields = Object.keys(member.shape) as (keyof MessageContent)[];
  return Object.fromEntries(fields.map((field) => [field, message[field]])) as MessageContent;
}

/** Each kind in a few words, for the dashboard's lists (a Record: a new kind without its words fails the type-check). */
export const KIND_WORDS: Record<MessageKind, string> = {
  text: 'Text',
  location: 'Location',
  contact_card: 'Contact card',
  poll: 'Poll',
  reaction: 'Reaction',
  edit: 'Edit',
  delete: 'Deleted for everyone',
  image: 'Photo',
  video: 'Video',
  audio: 'Audio',
  voice: 'Voice note',
  document: 'Document',
  sticker: 'Sticker',
  other: 'A message WaGate cannot show yet',
};
