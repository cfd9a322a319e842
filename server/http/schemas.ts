import { z } from 'zod';
import { SessionSnapshotSchema, SessionStateSchema } from '../events.ts';

/** WhatsApp refuses longer texts. */
export const MAX_TEXT_LENGTH = 65_536;

const flag = (name: string) => z.boolean({ error: `${name} must be true or false` }).default(true);

const SEND_AT_RULE = 'send_at must be an ISO 8601 time with a time zone (2026-12-01T09:30:00Z) or Unix seconds';
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
/** Unix seconds up to the year 9999. */
const MAX_UNIX_SECONDS = 253_402_300_799;

function sendAtSeconds(value: number | string): number | null {
  if (typeof value === 'number')
    return Number.isInteger(value) && value > 0 && value <= MAX_UNIX_SECONDS ? value : null;
  if (!ISO_8601.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms > 0 ? Math.ceil(ms / 1000) : null;
}

/** The body of `POST /chats/{chat_jid}/messages`, exactly as docs/send-message-api.txt gives it. */
/** WhatsApp groups hold at most 1024 members. */
const MAX_MENTIONS = 1024;

export const SendMessageBody = z.object({
  text: z
    .string({ error: 'Text field is required' })
    .refine((text) => text.trim().length > 0, 'Text field is required')
    // A lone UTF-16 surrogate cannot be stored as it was sent, so it would be altered on the way: refuse it.
    .refine((text) => text.isWellFormed(), 'Text must be valid Unicode (it holds a lone surrogate)')
    .refine(
      (text) => text.length <= MAX_TEXT_LENGTH,
      `Text is longer than WhatsApp allows (${MAX_TEXT_LENGTH} characters)`,
    ),
  reply_to_message_id: z
    .string({ error: 'reply_to_message_id must be a string' })
    .min(1, 'reply_to_message_id must not be empty')
    .max(128, 'reply_to_message_id is too long')
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
});
export type SendMessageBody = z.infer<typeof SendMessageBody>;

export const ListMessagesQuery = z.object({
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int('limit must be a whole number')
    .min(1, 'limit must be between 1 and 200')
    .max(200, 'limit must be between 1 and 200')
    .default(50),
  /** A unix-seconds timestamp, or the message_id of the oldest message already read. */
  before: z
    .string({ error: 'before must be a unix timestamp or a message_id' })
    .regex(/^[\w.-]{1,128}$/, 'before must be a unix timestamp or a message_id')
    .transform((value) => (/^\d{1,12}$/.test(value) ? Number(value) : value))
    .optional(),
});

export const PairingCodeBody = z.object({
  phone_number: z
    .string({ error: 'phone_number is required' })
    .regex(/^\+?[\d\s().-]{7,24}$/, 'phone_number must be a phone number with country code')
    // The same rule as a chat's number: 7 to 15 digits, and a country code never starts with 0.
    .refine(
      (value) => /^[1-9]\d{6,14}$/.test(value.replace(/\D/g, '')),
      'phone_number must be an international number with country code, such as +62 812 3456 7890',
    ),
});

export const QrQuery = z.object({
  format: z.enum(['png', 'json'], { error: 'format must be png or json' }).default('png'),
});

export const HealthData = z.object({
  version: z.string(),
  whatsapp: SessionStateSchema,
  /** `whatsapp`, or a simulator: the in-process sandbox or one given with --wa-url. */
  whatsapp_server: z.enum(['whatsapp', 'sandbox', 'simulator']),
  /** Only for the dashboard's admin session: who keeps the key of the WhatsApp credentials. */
  credentials: z
    .object({
      kept_by: z.enum(['keyring', 'folder_permissions']),
      /** The keyring's name (Secret Service, macOS Keychain, Windows Credential Manager), or null. */
      keyring: z.string().nullable(),
    })
    .optional(),
});

/** `GET /session`: the snapshot without the raw QR, which `GET /session/qr` gives. */
export const SessionData = SessionSnapshotSchema.omit({ qr: true });

export const QrData = z.object({ qr: z.string(), data_url: z.string(), expires_at: z.number().int().nullable() });
export const PairingCodeData = z.object({ code: z.string() });
export const LogoutData = z.object({ state: SessionStateSchema });

/** An API key's name, the same rule for the dashboard and `wagate keys create`. */
export const KeyName = z
  .string({ error: 'Name is required' })
  .trim()
  .min(1, 'Name is required')
  .max(64, 'Name must be at most 64 characters');
