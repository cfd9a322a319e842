import type { z } from 'zod';
import type { QrData } from '../../../server/http/schemas.ts';
export type {
  SessionSnapshot,
  SessionState,
  StoredMessage,
  MessageStatusChange,
  MessageStatus,
  CoreEventMap,
} from '../../../server/events.ts';
export type { ApiKeyRecord } from '../../../server/store/api-keys.ts';
export type { ContactView, InboxEntry } from '../../../server/sandbox/virtual-contacts.ts';
export type { PhoneView } from '../../../server/sandbox/virtual-phone.ts';
export type { GroupView } from '../../../server/sandbox/groups.ts';
export type { GroupSummary } from '../../../server/whatsapp/group-directory.ts';
export type { WebhookRecord, DeliveryRecord } from '../../../server/webhooks/webhook-store.ts';
export type { LoggedEventType } from '../../../server/store/event-log.ts';

export type { SendResult } from '../../../server/whatsapp/sender.ts';
export type { PacingPolicy, PacingState, PacedMessage, PacingLimit } from '../../../server/whatsapp/pacing.ts';
export type { AdminInfo } from '../../../server/http/routes/admin-login.ts';

/** `GET /session/qr?format=json`. */
export type QrImage = z.infer<typeof QrData>;
