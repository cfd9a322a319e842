import { EventEmitter } from 'node:events';

/** Where the WhatsApp session is, in the words `GET /session`, the dashboard and the tray use. */
export type SessionState =
  | 'starting'
  | 'qr'
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  | 'logged_out'
  | 'replaced'
  | 'stopped';

export interface LinkedAccount {
  jid: string;
  number: string;
  name: string | null;
}

export interface SessionSnapshot {
  state: SessionState;
  /** The raw QR string while state is 'qr'. */
  qr: string | null;
  /** Unix ms when the current QR stops being valid. */
  qr_expires_at: number | null;
  account: LinkedAccount | null;
  /** Why the last connection closed, in plain words, when it did. */
  last_error: string | null;
  /** Unix ms of the last state change. */
  since: number;
}

export type MessageDirection = 'outbound' | 'inbound';
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed' | 'received';

export interface StoredMessage {
  message_id: string;
  chat_jid: string;
  direction: MessageDirection;
  sender: string;
  text: string | null;
  quoted_message_id: string | null;
  /** Unix seconds. */
  timestamp: number;
  status: MessageStatus;
}

export interface MessageStatusChange {
  message_id: string;
  chat_jid: string;
  status: MessageStatus;
  /** Unix seconds. */
  at: number;
  reason?: string;
}

/** Every state change in the core is one of these events; the API, the dashboard and the tray read them. */
export interface CoreEventMap {
  'session.state': [SessionSnapshot];
  'message.received': [StoredMessage];
  'message.status': [MessageStatusChange];
  'keys.changed': [];
}

export type CoreEvents = EventEmitter<CoreEventMap>;

export function createEventBus(): CoreEvents {
  const bus = new EventEmitter<CoreEventMap>();
  // The dashboard streams and the tray each subscribe; many listeners are normal here, not a leak.
  bus.setMaxListeners(0);
  return bus;
}
