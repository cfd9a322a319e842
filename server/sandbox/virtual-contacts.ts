import { SignalDevice, type SignalDeviceState } from './signal-device.ts';

export interface SentByContact {
  message_id: string;
  text: string;
  timestamp: number;
}

export interface ContactState {
  number: string;
  name: string;
  lid: string;
  onWhatsApp: boolean;
  /** Addressed by LID only: refuses messages sent to its phone number (absent in sandboxes saved before LIDs). */
  lidMigrated?: boolean;
  device: SignalDeviceState;
  sent: SentByContact[];
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

export const SEED_CONTACTS = [
  { number: '15550001111', name: 'Alice', on_whatsapp: true },
  { number: '15550002222', name: 'Bob', on_whatsapp: true },
  { number: '15550003333', name: 'Carol', on_whatsapp: false },
  { number: '15550005555', name: 'Dana', on_whatsapp: true, lid_migrated: true },
];

export interface ContactInput {
  number: string;
  name: string;
  on_whatsapp: boolean;
  lid_migrated?: boolean;
}

export function createContactState(input: ContactInput & { lid: string }): ContactState {
  return {
    number: input.number,
    name: input.name,
    lid: input.lid,
    onWhatsApp: input.on_whatsapp,
    lidMigrated: input.lid_migrated ?? false,
    device: SignalDevice.createState(),
    sent: [],
  };
}

export function contactView(c: ContactState): ContactView {
  return {
    number: c.number,
    jid: `${c.number}@s.whatsapp.net`,
    lid: c.onWhatsApp ? `${c.lid}@lid` : null,
    name: c.name,
    on_whatsapp: c.onWhatsApp,
    lid_migrated: Boolean(c.lidMigrated),
  };
}

/** Accepts "+1 555 000 1111", "15550001111", or a jid; returns the bare digits. */
export function normalizeNumber(input: string): string {
  const user = input.split('@')[0]!.split(':')[0]!;
  return user.replace(/[^0-9]/g, '');
}
