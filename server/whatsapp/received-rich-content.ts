import type { proto } from '@whiskeysockets/baileys';
import type { ContactCard, MessageContent } from '../contract/message-content.ts';

/** A vCard's line value, unescaped (RFC 6350 §3.4). */
const field = (vcard: string, name: string): string | null => {
  const line = new RegExp(`^${name}(?:;[^:\\r\\n]*)?:(.*)$`, 'mi').exec(vcard)?.[1];
  return line === undefined ? null : line.replace(/\\n/gi, '\n').replace(/\\(.)/g, '$1').trim() || null;
};

/** A contact card as WhatsApp's phones write it: the name, the `waid` number (or the first TEL), email, organisation. */
export function cardOf(contact: proto.Message.IContactMessage): ContactCard {
  const vcard = contact.vcard ?? '';
  const tel = /waid=(\d+)/i.exec(vcard)?.[1] ?? field(vcard, 'TEL')?.replace(/\D/g, '') ?? '';
  return {
    name: field(vcard, 'FN') ?? contact.displayName ?? '',
    phone: tel,
    email: field(vcard, 'EMAIL'),
    organization: field(vcard, 'ORG')?.replace(/;+$/, '') ?? null,
  };
}

/** A received location, contact card or poll as WaGate stores it; null for other kinds. */
export function richContentOf(content: proto.IMessage): MessageContent | null {
  const where = content.locationMessage ?? content.liveLocationMessage;
  if (where) {
    const place = content.locationMessage;
    return {
      kind: 'location',
      location: {
        latitude: where.degreesLatitude ?? 0,
        longitude: where.degreesLongitude ?? 0,
        name: place?.name ?? null,
        address: place?.address ?? null,
      },
    };
  }
  const cards = content.contactMessage ? [content.contactMessage] : content.contactsArrayMessage?.contacts;
  if (cards?.length) return { kind: 'contact_card', contacts: cards.map(cardOf) };
  const poll = content.pollCreationMessageV3 ?? content.pollCreationMessage ?? content.pollCreationMessageV2;
  if (poll) {
    return {
      kind: 'poll',
      poll: {
        question: poll.name ?? '',
        options: (poll.options ?? []).map((o) => o.optionName ?? ''),
        selectable_count: poll.selectableOptionsCount ?? 0,
      },
    };
  }
  return null;
}

/** A received poll's secret, that votes on it are encrypted with. */
export const secretOfReceived = (content: proto.IMessage | null | undefined): Uint8Array | null =>
  content?.messageContextInfo?.messageSecret ?? null;
