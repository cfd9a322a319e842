import { EventEmitter } from 'node:events';
import { z } from 'zod';
import type { PacingState } from './whatsapp/pacing.ts';

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
    /** Unix ms when WhatsApp lifts it; null when it did not say. */
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
    /** Unix ms when the cycle ends. */
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
  /** Unix ms when the connection was lost. */
  at: z.number().int(),
  /** Why, in plain words (e.g. "No answer from WhatsApp for 30 s"). */
  cause: z.string(),
});
export type Reconnect = z.infer<typeof ReconnectSchema>;

export const SessionSnapshotSchema = z.object({
  state: SessionStateSchema,
  /** The raw QR string while state is 'qr'. */
  qr: z.string().nullable(),
  /** Unix ms when the current QR stops being valid. */
  qr_expires_at: z.number().int().nullable(),
  account: LinkedAccountSchema.nullable(),
  /** Why the last connection closed, in plain words, when it did. */
  last_error: z.string().nullable(),
  /** Unix ms of the last state change. */
  since: z.number().int(),
  ...AccountStandingSchema.shape,
  /** How often a connected session lost its connection and reconnected since local midnight. */
  reconnects_today: z.number().int(),
  /** The last of those, whenever it was. */
  last_reconnect: ReconnectSchema.nullable(),
});
export type SessionSnapshot = z.infer<typeof SessionSnapshotSchema>;

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

export const StoredMessageSchema = z.object({
  message_id: z.string(),
  /** The person's phone-number JID when WhatsApp has told us it (one chat per person), else the LID or the group. */
  chat_jid: z.string(),
  /** The person's LID (`…@lid`) when known: WhatsApp addresses LID-migrated people by it. */
  chat_lid: z.string().nullable(),
  direction: MessageDirectionSchema,
  sender: z.string(),
  text: z.string().nullable(),
  quoted_message_id: z.string().nullable(),
  /** Unix seconds. */
  timestamp: z.number().int(),
  status: MessageStatusSchema,
});
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

/** Every state change in the core is one of these events; the API, the dashboard and the tray read them. */
export interface CoreEventMap {
  'session.state': [SessionSnapshot];
  'message.received': [StoredMessage];
  'message.status': [MessageStatusChange];
  'keys.changed': [];
  /** A webhook was added, removed, resumed or paused, or a delivery was queued or tried. */
  'webhooks.changed': [];
  /** The pacing policy changed, a message was held back or let go, or a send was counted. */
  'pacing.changed': [PacingState];
}

export type CoreEvents = EventEmitter<CoreEventMap>;

export function createEventBus(): CoreEvents {
  const bus = new EventEmitter<CoreEventMap>();
  // The dashboard streams and the tray each subscribe; many listeners are normal here, not a leak.
  bus.setMaxListeners(0);
  return bus;
}
