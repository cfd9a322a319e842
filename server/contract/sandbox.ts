/** The sandbox's control API (/sandbox, only with --sandbox): what its virtual phone and contacts show. */

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
}

export interface FrameEvent {
  kind: 'presence' | 'chatstate';
  value: 'available' | 'unavailable' | 'composing' | 'paused';
  at: number;
}

export interface InboxEntry {
  message_id: string;
  text: string | null;
  quoted_message_id: string | null;
  timestamp: number;
  /** Presence and chatstate frames seen between the previous message to this contact and this one, in order. */
  before: FrameEvent[];
  /** Those seen after it, until the next message to this contact. */
  after: FrameEvent[];
  /** The message type Baileys sent, e.g. 'extendedTextMessage'. */
  type: string;
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
