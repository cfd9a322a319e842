import type { ContactCard } from '../contract/message-content.ts';

/** RFC 6350 §3.4: a value's backslashes, commas, semicolons and line breaks are escaped. */
const escape = (value: string) => value.replace(/[\\,;]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\\n');

/**
 * A contact card as WhatsApp's phones write it: vCard 3.0 with the number twice, in `waid` (digits, which makes
 * "Message" and "Add" work on the card) and as the number shown.
 */
export function vcardOf(card: ContactCard): string {
  const digits = card.phone.replace(/\D/g, '');
  return [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `FN:${escape(card.name)}`,
    ...(card.organization ? [`ORG:${escape(card.organization)}`] : []),
    `TEL;type=CELL;type=VOICE;waid=${digits}:+${digits}`,
    ...(card.email ? [`EMAIL:${escape(card.email)}`] : []),
    'END:VCARD',
  ].join('\n');
}
