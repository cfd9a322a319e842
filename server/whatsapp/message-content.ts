import type { AnyMessageContent, WAMessageKey } from '@whiskeysockets/baileys';
import type { MediaContent, MessageContent, MessageTarget } from '../contract/message-content.ts';
import { vcardOf } from './vcard.ts';

export interface ContentContext {
  /** The address the message goes to (a person's LID when known): a target message is keyed under it. */
  address: string;
  /** The message's own secret (a poll's), stored at acceptance so every resend carries the same one. */
  secret: Uint8Array | null;
  /** Group messages: the members mentioned, as the group addresses them. */
  mentions: string[];
  /** A media message's file in the data folder and its JPEG thumbnail (null for other kinds). */
  media: { file: string; thumbnail: Buffer | null } | null;
}

/** The message a reaction, an edit or a delete is about, keyed as WhatsApp keys it. */
function keyOf(target: MessageTarget, address: string): WAMessageKey {
  return {
    remoteJid: address,
    fromMe: target.from_me,
    id: target.message_id,
    ...(target.participant ? { participant: target.participant } : {}),
  };
}

/**
 * The one place stored content becomes what Baileys sends: the outbox worker sends each job through it, so a
 * resend after a drop or a restart carries the same content under the same id.
 */
export function toBaileysContent(
  content: MessageContent,
  { address, secret, mentions, media }: ContentContext,
): AnyMessageContent {
  const mentioned = mentions.length ? { mentions } : {};
  switch (content.kind) {
    case 'text':
      // linkPreview null: Baileys would otherwise fetch any URL in the text from the network.
      return { text: content.text, linkPreview: null, ...mentioned };
    case 'location': {
      const { latitude, longitude, name, address: place } = content.location;
      return {
        location: {
          degreesLatitude: latitude,
          degreesLongitude: longitude,
          ...(name ? { name } : {}),
          ...(place ? { address: place } : {}),
        },
      };
    }
    case 'contact_card': {
      const contacts = content.contacts.map((card) => ({ displayName: card.name, vcard: vcardOf(card) }));
      return { contacts: { displayName: contacts.length === 1 ? contacts[0]!.displayName : undefined, contacts } };
    }
    case 'poll': {
      const { question, options, selectable_count } = content.poll;
      const messageSecret = secret ?? undefined;
      return {
        poll: { name: question, values: options, selectableCount: selectable_count, messageSecret },
        ...mentioned,
      };
    }
    case 'reaction':
      return { react: { key: keyOf(content.target, address), text: content.emoji } };
    case 'edit':
      return { text: content.text, edit: keyOf(content.target, address), linkPreview: null };
    case 'delete':
      return { delete: keyOf(content.target, address) };
    case 'image':
    case 'video':
    case 'audio':
    case 'voice':
    case 'document':
    case 'sticker':
      if (!media) throw new Error(`the file of this ${content.kind} is not in the data folder`);
      return { ...mediaOf(content, media), ...mentioned };
    case 'other':
      throw new Error('a message of a kind WaGate does not read cannot be sent');
  }
}

/**
 * A media message as Baileys takes it: the file by path (Baileys encrypts and uploads it on every send), with what
 * WaGate read from it at acceptance, so Baileys computes nothing itself: no sharp, no ffmpeg run on the file, and a
 * resend carries the same thumbnail, seconds and waveform.
 */
function mediaOf(content: MediaContent, { file, thumbnail }: { file: string; thumbnail: Buffer | null }) {
  const { media, caption } = content;
  const captioned = caption ? { caption } : {};
  const source = { url: file };
  const mimetype = media.mime_type;
  switch (content.kind) {
    case 'image':
      return {
        image: source,
        mimetype,
        jpegThumbnail: thumbnail?.toString('base64') ?? '',
        ...(media.width && media.height ? { width: media.width, height: media.height } : {}),
        ...captioned,
      };
    case 'video':
      return { video: source, mimetype, jpegThumbnail: '', ...seconds(media.seconds), ...captioned };
    case 'audio':
      return { audio: source, mimetype, ptt: false, ...seconds(media.seconds) };
    case 'voice':
      return {
        audio: source,
        mimetype,
        ptt: true,
        ...seconds(media.seconds),
        // Baileys' types leave out the waveform it sends when given.
        waveform: new Uint8Array(media.waveform ?? []),
      };
    case 'document':
      return { document: source, mimetype, fileName: media.file_name ?? 'file', ...captioned };
    case 'sticker':
      return { sticker: source, mimetype };
  }
}

/** Baileys reads an audio file's length itself when not told: told, it never opens the file twice. */
const seconds = (value: number | null) => ({ seconds: value ?? 0 });

/** The words "typing…" stands for before the message leaves: what a person would have typed. */
export function typedWordsOf(content: MessageContent): string {
  switch (content.kind) {
    case 'text':
    case 'edit':
      return content.text;
    case 'poll':
      return [content.poll.question, ...content.poll.options].join(' ');
    case 'location':
      return content.location.name ?? '';
    case 'image':
    case 'video':
    case 'document':
      return content.caption ?? '';
    default:
      return '';
  }
}
