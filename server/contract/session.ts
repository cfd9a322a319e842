import { z } from 'zod';
import { PHONE_DIGITS } from './chat-id.ts';

/** Where the WhatsApp session is, in the words `GET /session`, the dashboard and the tray use. */
export const SessionStateSchema = z.enum([
  'starting',
  'qr',
  'connecting',
  'connected',
  'reconnecting',
  'logged_out',
  'replaced',
  'stopped',
]);
export type SessionState = z.infer<typeof SessionStateSchema>;

export const LinkedAccountSchema = z.object({
  jid: z.string(),
  number: z.string(),
  name: z.string().nullable(),
});
export type LinkedAccount = z.infer<typeof LinkedAccountSchema>;

export const ReachoutTimelockSchema = z
  .object({
    /** Unix seconds when WhatsApp lifts it; null when it did not say. */
    until: z.number().int().nullable(),
    /** WhatsApp's reason, e.g. DEFAULT or BIZ_QUALITY. */
    enforcement_type: z.string(),
  })
  .meta({ description: 'WhatsApp refuses messages to new chats (error 463) until then' });
export type ReachoutTimelock = z.infer<typeof ReachoutTimelockSchema>;

export const MessageCappingSchema = z
  .object({
    status: z.enum(['none', 'first_warning', 'second_warning', 'capped']),
    /** Messages to new chats used and allowed in the current cycle, when WhatsApp says. */
    used: z.number().int().nullable(),
    quota: z.number().int().nullable(),
    /** Unix seconds when the cycle ends. */
    cycle_ends_at: z.number().int().nullable(),
  })
  .meta({ description: 'WhatsApp’s cap on messages to new chats, and how much of it is used' });
export type MessageCapping = z.infer<typeof MessageCappingSchema>;

/** What WhatsApp says about the linked account's standing; null: nothing in force. */
export const AccountStandingSchema = z.object({
  reachout_timelock: ReachoutTimelockSchema.nullable(),
  message_capping: MessageCappingSchema.nullable(),
});
export type AccountStanding = z.infer<typeof AccountStandingSchema>;

export const ReconnectSchema = z.object({
  /** Unix seconds when the connection was lost. */
  at: z.number().int(),
  /** Why, in plain words (e.g. "No answer from WhatsApp for 30 s"). */
  cause: z.string(),
});
export type Reconnect = z.infer<typeof ReconnectSchema>;

export const SessionSnapshotSchema = z.object({
  state: SessionStateSchema,
  /** The raw QR string while state is 'qr'. */
  qr: z.string().nullable(),
  /** Unix seconds when the current QR stops being valid. */
  qr_expires_at: z.number().int().nullable(),
  account: LinkedAccountSchema.nullable(),
  /** Why the last connection closed, in plain words, when it did. */
  last_error: z.string().nullable(),
  /** Unix seconds of the last state change. */
  since: z.number().int(),
  ...AccountStandingSchema.shape,
  /** How often a connected session lost its connection and reconnected since local midnight. */
  reconnects_today: z.number().int(),
  /** The last of those, whenever it was. */
  last_reconnect: ReconnectSchema.nullable(),
});
export type SessionSnapshot = z.infer<typeof SessionSnapshotSchema>;

/** `GET /session`: the snapshot without the raw QR, which `GET /session/qr` gives. */
export const SessionData = SessionSnapshotSchema.omit({ qr: true });

export const QrQuery = z.object({
  format: z.enum(['png', 'json'], { error: 'format must be png or json' }).default('png').meta({ example: 'json' }),
});

/** `GET /session/qr?format=json`. */
export const QrData = z.object({ qr: z.string(), data_url: z.string(), expires_at: z.number().int().nullable() });
export type QrImage = z.infer<typeof QrData>;

export const PairingCodeBody = z.object({
  phone_number: z
    .string({ error: 'phone_number is required' })
    .regex(/^\+?[\d\s().-]{7,24}$/, 'phone_number must be a phone number with country code')
    // The same rule as a chat's number.
    .refine(
      (value) => PHONE_DIGITS.test(value.replace(/\D/g, '')),
      'phone_number must be an international number with country code, such as +62 812 3456 7890',
    )
    .meta({
      description: 'The phone to link, with country code: digits, spaces and + ( ) . - (7 to 15 digits)',
      example: '+62 812-3456-7890',
    }),
});
export const PairingCodeData = z.object({ code: z.string() });
export const LogoutData = z.object({ state: SessionStateSchema });
