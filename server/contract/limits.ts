/** How much the API takes and gives at once: the server checks these, the dashboard and the CLI say them. */

/** WhatsApp refuses longer texts. */
export const MAX_TEXT_LENGTH = 65_536;

/** A JSON request body (a text message's JSON is at most ~260 KB); a media file's base64 has its own limit. */
export const JSON_BODY_MAX_BYTES = 300 * 1024;

/** A WhatsApp message id, as `reply_to_message_id` or a `before` cursor. */
export const MAX_MESSAGE_ID_LENGTH = 128;

/** An API key's name. */
export const MAX_KEY_NAME_LENGTH = 64;

/** The longest expiry an API key can be given. */
export const MAX_KEY_EXPIRY_DAYS = 3650;

/** A webhook's URL. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** How many rows a list answers when asked with `?limit=`: the default and the most. */
export interface PageSize {
  default: number;
  max: number;
}

/** `GET /chats/{chat_jid}/messages`. */
export const CHAT_PAGE: PageSize = { default: 50, max: 200 };

/** The dashboard's recent messages (`GET /admin/messages`). */
export const RECENT_MESSAGES_PAGE: PageSize = { default: 20, max: 100 };

/** A webhook's delivery log (`GET /admin/webhooks/{id}/deliveries`). */
export const DELIVERIES_PAGE: PageSize = { default: 50, max: 200 };

/** WhatsApp groups hold at most 1024 members, so a message mentions at most that many. */
export const MAX_MENTIONS = 1024;

/**
 * What one client may take from the HTTP server: the server reads these, the README's Security section states them,
 * and tests set them short.
 */
export interface HttpLimits {
  /** A request's whole header block must arrive within this, or the connection gets a 408 and is closed. */
  headerDeadlineMs: number;
  /** The whole request (headers and body) must arrive within this. */
  requestDeadlineMs: number;
  /** A kept-alive connection with no request in flight stays open this long; every answer says so (`Keep-Alive`). */
  idleConnectionMs: number;
  /** Open `GET /events` streams for one API key (or the dashboard's session)... */
  eventStreamsPerCaller: number;
  /** ...and for every caller together. */
  eventStreamsTotal: number;
  /** Wrong API keys one client address may send within `authFailureWindowMs` before it is answered 429. */
  authFailures: number;
  authFailureWindowMs: number;
  /** On stop, how long requests in flight may take to finish before WhatsApp is closed under them. */
  drainMs: number;
}

export const DEFAULT_LIMITS: HttpLimits = {
  headerDeadlineMs: 10_000,
  requestDeadlineMs: 30_000,
  // Node's 5 s meets scripts that pause a few seconds between sends and keep their connection without reading
  // `Keep-Alive` (Python's requests, Playwright): a request written as the idle connection closes is reset unsent.
  idleConnectionMs: 60_000,
  eventStreamsPerCaller: 5,
  eventStreamsTotal: 50,
  authFailures: 20,
  authFailureWindowMs: 60_000,
  // The longest typing simulation (8 s by default) and the send after it; the desktop app gives a stop 15 s in all.
  drainMs: 10_000,
};

/** A poll offers WhatsApp's 2 to 12 options. */
export const POLL_OPTIONS = { min: 2, max: 12 } as const;
const MB = 1024 * 1024;

/**
 * The largest file of each media kind, as WhatsApp takes them: photos, videos and audio (voice notes included) up to
 * 16 MB, documents up to 2 GB, stickers up to 500 KB (WhatsApp's limit for animated stickers; static ones should
 * stay under 100 KB). Checked before anything is sent.
 */
export const MEDIA_MAX_BYTES = {
  image: 16 * MB,
  video: 16 * MB,
  audio: 16 * MB,
  voice: 16 * MB,
  document: 2048 * MB,
  sticker: 500 * 1024,
} as const;

/** The largest media file of any kind: what an upload or a URL may bring before its kind is known. */
export const MEDIA_MAX_ANY_BYTES = MEDIA_MAX_BYTES.document;

/** A `base64` source carries at most this (decoded); bigger documents go as a multipart upload or a `url`. */
export const MEDIA_MAX_BASE64_BYTES = 16 * MB;

/** A `url` source: how long the whole download may take, and how many redirects are followed. */
export const MEDIA_URL_FETCH = { timeout_ms: 30_000, max_redirects: 3 } as const;

/** A `url` source's length. */
export const MAX_URL_LENGTH = 2048;

/** A caption, as WhatsApp cuts them. */
export const MAX_CAPTION_LENGTH = 1024;

/** A document's file name. */
export const MAX_FILE_NAME_LENGTH = 255;

/** A size in words: "16 MB", "500 KB", "2 GB", "700 bytes". */
export function sizeInWords(bytes: number): string {
  if (bytes >= 1024 * MB && bytes % (1024 * MB) === 0) return `${bytes / (1024 * MB)} GB`;
  if (bytes >= MB) return `${Math.round((bytes / MB) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return bytes === 1 ? '1 byte' : `${bytes} bytes`;
}

/** WhatsApp's poll limits: a question and each option's length, in characters. */
export const POLL_QUESTION_MAX = 255;
export const POLL_OPTION_MAX = 100;

/** A shared location's name and address, and each contact card's fields, in characters. */
export const PLACE_TEXT_MAX = 256;
export const CONTACT_FIELD_MAX = 256;
/** How many contact cards one message carries. */
export const MAX_CONTACT_CARDS = 20;
