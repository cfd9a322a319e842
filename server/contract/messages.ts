import { z } from 'zod';
import { normaliseChatJid } from './chat-id.ts';
import {
  CHAT_PAGE,
  MAX_CAPTION_LENGTH,
  MAX_FILE_NAME_LENGTH,
  MAX_MENTIONS,
  MAX_MESSAGE_ID_LENGTH,
  MAX_URL_LENGTH,
  MEDIA_MAX_BASE64_BYTES,
  RECENT_MESSAGES_PAGE,
  sizeInWords,
} from './limits.ts';
import { pageLimit } from './paging.ts';
import { isBlankText, textLength } from './text.ts';
import { HOUR_MS, IDEMPOTENCY_WINDOW_MS } from './lifetimes.ts';
import { MessageContentSchema, MessageText } from './message-content.ts';
import { MediaKindSchema } from './media.ts';
import { MAX_UNIX_SECONDS } from './time.ts';

export const MessageDirectionSchema = z.enum(['outbound', 'inbound']);
export type MessageDirection = z.infer<typeof MessageDirectionSchema>;
/**
 * A sent message moves queued → sending → sent (WhatsApp's server has it) → delivered → read, or ends failed with a
 * reason; 'received' is a message someone sent us.
 */
export const MessageStatusSchema = z.enum(['queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'received']);
export type MessageStatus = z.infer<typeof MessageStatusSchema>;

/**
 * Why a message failed, in one word: `not_on_whatsapp`, `server_rejected:<code>` (WhatsApp's server refused it with
 * that error code), `expired` (it could not leave within the outbox's lifetime), `cancelled` (DELETE before it left),
 * `logged_out` (the device was unlinked before it left), `send_error` (WhatsApp's client library could not send it,
 * several times in a row, with the connection up: it never left).
 */
export const FailureReasonSchema = z
  .string()
  .regex(/^(not_on_whatsapp|server_rejected:\d+|expired|cancelled|logged_out|send_error)$/);

/** A message's own fields, whatever its kind. */
export const MessageBaseSchema = z.object({
  message_id: z.string(),
  /** The person's phone-number JID when WhatsApp has told us it (one chat per person), else the LID or the group. */
  chat_jid: z.string(),
  /** The person's LID (`…@lid`) when known: WhatsApp addresses LID-migrated people by it. */
  chat_lid: z.string().nullable(),
  direction: MessageDirectionSchema,
  sender: z.string(),
  /** What it says in words: a text's or an edit's text, a caption; null when it has none. */
  text: z.string().nullable(),
  quoted_message_id: z.string().nullable(),
  /** Unix seconds. */
  timestamp: z.number().int(),
  status: MessageStatusSchema,
  /** Unix seconds: when its sender last edited it (its `text` is the edited one); absent if never. */
  edited_at: z.number().int().optional(),
  /** Unix seconds: when its sender deleted it for everyone (its content is gone); absent if not. */
  deleted_at: z.number().int().optional(),
});
export type MessageBase = z.infer<typeof MessageBaseSchema>;

/** What a message's examples share: a text someone wrote to this account. */
const MESSAGE_EXAMPLE = {
  message_id: '3EB0ABC123DEF456789',
  chat_jid: '6281234567890@s.whatsapp.net',
  chat_lid: '123456789012345@lid',
  direction: 'inbound',
  sender: '6281234567890@s.whatsapp.net',
  text: 'Hello back!',
  quoted_message_id: null,
  timestamp: 1764080000,
  status: 'received',
  kind: 'text',
} as const;

/** A message as WaGate keeps and shows it: its own fields and its kind's (server/contract/message-content.ts). */
export const StoredMessageSchema = z
  .intersection(MessageBaseSchema, MessageContentSchema)
  .meta({ example: MESSAGE_EXAMPLE });
export type StoredMessage = z.infer<typeof StoredMessageSchema>;

export const MessageStatusChangeSchema = z.object({
  message_id: z.string(),
  chat_jid: z.string(),
  status: MessageStatusSchema,
  /** Unix seconds. */
  at: z.number().int(),
  reason: z.string().optional(),
});
export type MessageStatusChange = z.infer<typeof MessageStatusChangeSchema>;

/**
 * What a message leaving the outbox is doing between `sending` and `sent`, for the dashboard's progress words (not
 * logged, not sent to webhooks): `typing` shows "typing…" in the chat for `duration_ms` first; `awaiting_ack` means
 * the message went to WhatsApp's server, which has not acknowledged it yet.
 */
export const MessageProgressSchema = z.object({
  message_id: z.string(),
  chat_jid: z.string(),
  step: z.enum(['typing', 'awaiting_ack']),
  /** How long "typing…" shows, for the `typing` step. */
  duration_ms: z.number().int().nonnegative().optional(),
});
export type MessageProgress = z.infer<typeof MessageProgressSchema>;

/** `GET /messages/{message_id}`: the message, and when it reached each status. */
export const MessageDetailSchema = z
  .intersection(
    StoredMessageSchema,
    z.object({
      status_times: z.object({
        sent: z.number().int().nullable(),
        delivered: z.number().int().nullable(),
        read: z.number().int().nullable(),
        failed: z.number().int().nullable(),
      }),
      failure_reason: z.string().nullable(),
    }),
  )
  .meta({
    example: {
      ...MESSAGE_EXAMPLE,
      direction: 'outbound',
      sender: '15559990000@s.whatsapp.net',
      text: 'Hello, World!',
      status: 'read',
      status_times: { sent: 1764080000, delivered: 1764080002, read: 1764080031, failed: null },
      failure_reason: null,
    },
  });
export type MessageDetail = z.infer<typeof MessageDetailSchema>;

/** A chat as the path names it: a JID or a phone number with country code, turned into the JID. */
export const ChatJidParam = z
  .string()
  .transform((raw, ctx) => {
    const jid = normaliseChatJid(raw);
    if (jid) return jid;
    ctx.addIssue({
      code: 'custom',
      message: `Invalid chat_jid "${raw}": use a phone number with country code or a WhatsApp JID`,
    });
    return z.NEVER;
  })
  .meta({
    description: 'A JID (…@s.whatsapp.net, …@g.us, …@lid) or a phone number with country code',
    example: '6281234567890@s.whatsapp.net',
  });

export const ChatParams = z.object({ chat_jid: ChatJidParam });
export const MessageParams = z.object({ message_id: z.string().meta({ example: '3EB0ABC123DEF456789' }) });

/** The headers of a send; the Idempotency-Key is checked by its own middleware, before anything else. */
export const SendHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1 to 255 printable ASCII characters')
    .optional()
    .meta({
      description: `Retry safely: a repeat with the same key and body within ${IDEMPOTENCY_WINDOW_MS / HOUR_MS} h answers the first result and sends nothing`,
      example: 'order-1234-confirmation',
    }),
  Prefer: z.string().optional().meta({
    description: '`respond-async` (RFC 7240): answer 202 as soon as the message is in the outbox',
    example: 'respond-async',
  }),
});

const flag = (name: string) => z.boolean({ error: `${name} must be true or false` }).default(true);

const SEND_AT_RULE = 'send_at must be an ISO 8601 time with a time zone (2026-12-01T09:30:00Z) or Unix seconds';
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

function sendAtSeconds(value: number | string): number | null {
  if (typeof value === 'number')
    return Number.isInteger(value) && value > 0 && value <= MAX_UNIX_SECONDS ? value : null;
  if (!ISO_8601.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms > 0 ? Math.ceil(ms / 1000) : null;
}

/**
 * What every send endpoint takes beside its content: a reply, typing and presence, async, a schedule, mentions. A
 * text types and says "online" by default; the other kinds say so in their own body.
 */
export const SEND_OPTIONS = {
  reply_to_message_id: z
    .string({ error: 'reply_to_message_id must be a string' })
    .min(1, 'reply_to_message_id must not be empty')
    .max(MAX_MESSAGE_ID_LENGTH, 'reply_to_message_id is too long')
    .optional(),
  typing_simulation: flag('typing_simulation'),
  presence_simulation: flag('presence_simulation'),
  /** Answer 202 as soon as the message is in the outbox (as `Prefer: respond-async` does). */
  async: z.boolean({ error: 'async must be true or false' }).default(false),
  /** Leave no earlier than this: ISO 8601 with a time zone, or Unix seconds; kept across restarts. */
  send_at: z
    .union([z.number(), z.string()], { error: SEND_AT_RULE })
    .transform((value, ctx) => {
      const seconds = sendAtSeconds(value);
      if (seconds === null) ctx.addIssue({ code: 'custom', message: SEND_AT_RULE });
      return seconds ?? 0;
    })
    .optional(),
  mentions: z
    .array(z.string({ error: 'mentions must be JIDs or phone numbers' }).min(1).max(64), {
      error: 'mentions must be a list of JIDs or phone numbers',
    })
    .max(MAX_MENTIONS, `at most ${MAX_MENTIONS} mentions`)
    .optional()
    .meta({ description: 'Group chats only: the people the text @-mentions (JIDs or phone numbers)' }),
};
export const SendOptionsSchema = z.object(SEND_OPTIONS);
export type SendOptionsBody = z.infer<typeof SendOptionsSchema>;

/** The body of `POST /chats/{chat_jid}/messages`, exactly as docs/send-message-api.txt gives it. */
export const SendMessageBody = z.object({
  text: MessageText,
  ...SEND_OPTIONS,
});
export type SendMessageBody = z.infer<typeof SendMessageBody>;

/**
 * The most common bad send, a missing or blank `text`, refused as SendMessageBody would refuse it: `text` is its
 * first field, so its issue is zod's first whatever else the body holds.
 */
export function missingText(body: unknown): string | undefined {
  // As validate() reads it: no body (or JSON null) is an empty object.
  const value = body ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { text } = value as { text?: unknown };
  return typeof text !== 'string' || isBlankText(text) ? 'Text field is required' : undefined;
}

/**
 * What a send answers: `data` of a 200 from `POST /chats/{chat_jid}/messages`: WhatsApp's server has the message.
 * Exactly the seed's three fields (plus `paced_ms` when pacing held it); the chat it is stored under and the LID it
 * went to are in `GET /messages/{message_id}` and the events.
 */
export const SendResultSchema = z.object({
  message_id: z.string(),
  status: z.literal('sent'),
  /** Unix seconds: when WhatsApp's server took it. */
  timestamp: z.number().int(),
  paced_ms: z
    .number()
    .int()
    .positive()
    .optional()
    .meta({ description: 'How long pacing held the message back before it left; absent when it did not' }),
});
export type SendResult = z.infer<typeof SendResultSchema>;

/**
 * `data` of a 202: the message is in the outbox and will be sent. `queued` for an async or scheduled send,
 * `pending` when a synchronous send's wait ended before WhatsApp's server acked it.
 */
export const AcceptedResultSchema = z
  .object({
    message_id: z.string(),
    status: z.enum(['queued', 'pending']),
    /** Unix seconds, for a scheduled send; otherwise null. */
    send_at: z.number().int().nullable(),
  })
  .meta({ example: { message_id: '3EB0ABC123DEF456789', status: 'queued', send_at: null } });
export type AcceptedResult = z.infer<typeof AcceptedResultSchema>;

export const ListMessagesQuery = z.object({
  limit: pageLimit(CHAT_PAGE).meta({ example: 20 }),
  /** A unix-seconds timestamp, or the message_id of the oldest message already read. */
  before: z
    .string({ error: 'before must be a unix timestamp or a message_id' })
    .regex(/^[\w.-]{1,128}$/, 'before must be a unix timestamp or a message_id')
    .transform((value) => (/^\d{1,12}$/.test(value) ? Number(value) : value))
    .optional()
    .meta({ example: '1764080000' }),
});

/** The dashboard's recent activity (`GET /admin/messages`). */
export const RecentMessagesQuery = z.object({ limit: pageLimit(RECENT_MESSAGES_PAGE) });

/**
 * `POST /chats/{chat_jid}/media`: the file comes as the multipart `file` part, or as `url` or `base64` in JSON (one
 * of the three); the rest is the text endpoint's options. The kind follows the file's sniffed type when not given.
 */
export const SendMediaBody = SendMessageBody.omit({ text: true }).extend({
  kind: MediaKindSchema.optional().meta({
    description: 'image, video, audio, voice (an Ogg/Opus voice note), document or sticker; by default from the bytes',
  }),
  url: z
    .string({ error: 'url must be a string' })
    .max(MAX_URL_LENGTH, `url is longer than ${MAX_URL_LENGTH} characters`)
    .optional()
    .meta({ description: 'An http or https URL to fetch the file from (public addresses only unless allowed)' }),
  base64: z
    .string({ error: 'base64 must be a string' })
    .optional()
    .meta({ description: `The file in base64 (or a data: URL), at most ${sizeInWords(MEDIA_MAX_BASE64_BYTES)}` }),
  file_name: z
    .string({ error: 'file_name must be a string' })
    .min(1, 'file_name must not be empty')
    .max(MAX_FILE_NAME_LENGTH, `file_name is longer than ${MAX_FILE_NAME_LENGTH} characters`)
    .refine(
      (name) => !name.includes('/') && !name.includes('\\') && !name.includes('\0'),
      'file_name must be a name, without / or \\',
    )
    .optional()
    .meta({ description: "A document's name as the recipient sees it (default: the upload's name)" }),
  caption: z
    .string({ error: 'caption must be a string' })
    .refine((text) => text.isWellFormed(), 'caption must be valid Unicode (it holds a lone surrogate)')
    .refine(
      (text) => textLength(text) <= MAX_CAPTION_LENGTH,
      `caption is longer than WhatsApp allows (${MAX_CAPTION_LENGTH} characters)`,
    )
    .optional()
    .meta({
      description: `Shown under an image, a video or a document: at most ${MAX_CAPTION_LENGTH} characters (Unicode code points)`,
      maxLength: MAX_CAPTION_LENGTH,
    }),
});
export type SendMediaBody = z.infer<typeof SendMediaBody>;
