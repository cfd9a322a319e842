import { userOf } from './frames.ts';
import type { ContactState } from './virtual-contacts.ts';

/**
 * WhatsApp addresses LID-migrated people by their LID: their messages and receipts come from `<lid>@lid` with the
 * phone number only as an alternate (`sender_pn`), and a message addressed to their phone number is refused with
 * error 463 on its ack. Everyone else is still addressed by phone number, with the LID as the alternate.
 */
export function contactJid(c: ContactState): string {
  return c.lidMigrated ? `${c.lid}@lid` : `${c.number}@s.whatsapp.net`;
}

/** The sender attributes of a stanza from a contact (Baileys reads the alternate into `remoteJidAlt`). */
export function senderAttrs(c: ContactState): Record<string, string> {
  return c.lidMigrated
    ? { from: `${c.lid}@lid`, sender_pn: `${c.number}@s.whatsapp.net` }
    : { from: `${c.number}@s.whatsapp.net`, sender_lid: `${c.lid}@lid` };
}

/** The error code the server puts on the ack of a message addressed to `to`, if it refuses it. */
export const PN_ADDRESS_REFUSED = '463';
export function refusesAddress(c: ContactState, to: string): boolean {
  return Boolean(c.lidMigrated) && userOf(to)?.server === 's.whatsapp.net';
}
