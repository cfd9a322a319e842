import type { MediaFile, MediaKind } from './media.ts';
import type { MessageKind } from './message-content.ts';

/**
 * The sandbox's control API (/sandbox, only with --sandbox): what its virtual phone and contacts show. Its times are
 * Unix seconds, as everywhere (TIME_RULE in ./time.ts); the sandbox's store keeps ms.
 */

/** The error codes WhatsApp puts on a message's `<ack>` when it refuses it (Baileys' SERVER_ERROR_CODES). */
export const REJECTION_CODES = [463, 479] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** The capping statuses Baileys 7.0.0-rc14 knows (`NewChatMessageCappingStatusType`). */
export const CAPPING_STATUSES = ['NONE', 'FIRST_WARNING', 'SECOND_WARNING', 'CAPPED'] as const;
export type CappingStatus = (typeof CAPPING_STATUSES)[number];

/** What `POST /sandbox/faults` can do to the connection. */
export const FAULT_KINDS = [
  'drop',
  'refuse',
  'replaced',
  'unlink',
  'hold_acks',
  'silent',
  'ignore_pings',
  'stream_error',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The stream errors the server can end a connection with (`POST /sandbox/faults {kind: 'stream_error', code}`). */
export const STREAM_ERRORS = ['conflict', 'ack', '515', '428', '408', '500'] as const;
export type StreamErrorCode = (typeof STREAM_ERRORS)[number];

/** WhatsApp recycles a stream whose `<status>` went unacknowledged after about this long. */
export const STATUS_ACK_WITHIN_MS = 50 * 60_000;

export interface PhoneView {
  number: string;
  name: string;
  jid: string;
  lid: string;
  linked_devices: {
    device: number;
    jid: string;
    lid: string;
    platform: string;
    /** Unix seconds. */
    linked_at: number;
    connected: boolean;
  }[];
}

export interface ContactView {
  number: string;
  jid: string;
  lid: string | null;
  name: string;
  on_whatsapp: boolean;
  /** Reachable only at its LID: a message to its phone number is refused (463). */
  lid_migrated: boolean;
  /**
   * The trusted-contact (privacy) tokens the linked account issued this contact, and when it issued the last, Unix
   * seconds. WhatsApp Web issues one per contact a week, after a message.
   */
  privacy_tokens: { issued: number; last_issued_at: number | null };
}

export interface FrameEvent {
  kind: 'presence' | 'chatstate';
  value: 'available' | 'unavailable' | 'composing' | 'recording' | 'paused';
  /** Unix seconds. */
  at: number;
}

export interface InboxEntry {
  message_id: string;
  text: string | null;
  quoted_message_id: string | null;
  /** When the contact got it, Unix seconds. */
  timestamp: number;
  /** Presence and chatstate frames seen between the previous message to this contact and this one, in order. */
  before: FrameEvent[];
  /** Those seen after it, until the next message to this contact. */
  after: FrameEvent[];
  /** The message type Baileys sent, e.g. 'extendedTextMessage'. */
  type: string;
  /** The kind of message, as the contact's phone shows it. */
  kind: MessageKind | MediaKind;
  /** A media message's caption (absent or null otherwise). */
  caption?: string | null;
  /** A media message: the file as the contact downloaded and decrypted it (absent for text). */
  media?: ContactMedia;
  /** A location: where, as the contact's phone shows it. */
  location?: { latitude: number; longitude: number; name: string | null; address: string | null };
  /** A contact card: each card's name and the number in its `waid`, read from the vCard, and the vCard itself. */
  contacts?: { name: string; phone: string | null; vcard: string }[];
  /** A poll, and the votes this contact cast on it (option names). */
  poll?: { question: string; options: string[]; selectable_count: number; votes: string[] };
  /** The poll's secret as the contact's phone keeps it, to encrypt its votes (base64). */
  poll_secret?: string;
  /** A reaction, an edit or a delete: the message it is about (a message of this chat, either side's). */
  target_message_id?: string;
  /** A reaction's emoji ("" when it took a reaction away). */
  emoji?: string;
  /** A message WaGate edited afterwards: the texts it had before, oldest first (its `text` is the current one). */
  edits?: string[];
  /** WaGate deleted it for everyone: the phone shows "This message was deleted". */
  deleted?: boolean;
  /** Receipts the contact has sent for it. */
  delivered: boolean;
  read: boolean;
  /** Retry receipts the contact sent for it (absent: none). */
  retries?: number;
  /** The text of the copy the sender sent again after a retry receipt, once it came. */
  resent_text?: string | null;
}

export type GroupRole = 'admin' | 'superadmin' | null;

export interface GroupView {
  jid: string;
  subject: string;
  description: string;
  addressing: 'lid' | 'pn';
  /** Whether the virtual phone (so WaGate) is in it. */
  phone_is_member: boolean;
  members: { number: string; name: string; jid: string; lid: string | null; role: GroupRole }[];
}

/**
 * A media file a contact received, downloaded from the media servers and decrypted: `sha256` is that of the decrypted
 * bytes (null with `error` when the download, the MAC or a hash did not check out).
 */
export interface ContactMedia extends Omit<MediaFile, 'sha256'> {
  sha256: string | null;
  error: string | null;
  /** Voice notes and audio: the seconds the message says; a voice note's waveform bars (0 when it has none). */
  seconds: number | null;
  waveform_bars: number;
  /** Images, videos and stickers: the size the message says, and whether it carries a thumbnail. */
  width: number | null;
  height: number | null;
  has_thumbnail: boolean;
}

/** A contact sends WaGate a media file (the sandbox's control API): the file, what it is, and what the message says. */
export interface ContactMediaInput {
  kind: MediaKind;
  /** The file, base64. */
  base64: string;
  mime_type: string;
  file_name?: string;
  caption?: string;
  /** Audio and voice notes. */
  seconds?: number;
}
