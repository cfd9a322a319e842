export type { SessionSnapshot, SessionState, StoredMessage, MessageStatusChange, MessageStatus, CoreEventMap } from '../../../server/events.ts';
export type { ApiKeyRecord } from '../../../server/store/api-keys.ts';
export type { ContactView, InboxEntry } from '../../../server/sandbox/virtual-contacts.ts';
export type { PhoneView } from '../../../server/sandbox/virtual-phone.ts';
export type { WebhookRecord, DeliveryRecord } from '../../../server/webhooks/webhook-store.ts';
export type { LoggedEventType } from '../../../server/store/event-log.ts';

/** `GET /admin/me`. */
export interface AdminInfo {
  sandbox: boolean;
  version: string;
  api_url: string;
}

/** `GET /session/qr?format=json`. */
export interface QrImage {
  qr: string;
  data_url: string;
  expires_at: number | null;
}

/** `POST /chats/{chat_jid}/messages`. */
export interface SendResult {
  message_id: string;
  status: 'sent';
  timestamp: number;
}
