import { SignalDevice, type SignalDeviceState } from './signal-device.ts';
import type { ContactView, FrameEvent, InboxEntry } from '../contract/sandbox.ts';

export type { ContactView, FrameEvent, InboxEntry };

export interface SentByContact {
  message_id: string;
  text: string;
  timestamp: number;
  /** A media message: where its file is on the media servers. */
  direct_path?: string;
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
  /** The trusted-contact tokens the account issued it (privacy-tokens.ts); absent: none. `lastIssuedAt` in ms. */
  privacyTokens?: { issued: number; lastIssuedAt: number };
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
    privacy_tokens: {
      issued: c.privacyTokens?.issued ?? 0,
      last_issued_at: c.privacyTokens ? Math.floor(c.privacyTokens.lastIssuedAt / 1000) : null,
    },
  };
}

/** Accepts "+1 555 000 1111", "15550001111", or a jid; returns the bare digits. */
export function normalizeNumber(input: string): string {
  const user = input.split('@')[0]!.split(':')[0]!;
  return user.replace(/[^0-9]/g, '');
}
