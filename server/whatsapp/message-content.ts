import type { AnyMessageContent, WAMessageKey } from '@whiskeysockets/baileys';
import type { MessageContent, MessageTarget } from '../contract/message-content.ts';
import { vcardOf } from './vcard.ts';

export interface ContentContext {
  /** The address the message goes to (a person's LID when known): a target message is keyed under it. */
  address: string;
  /** The message's own secret (a poll's), stored at acceptance so every resend carries the same one. */
  secret: Uint8Array | null;
  /** Group messages: the members mentioned, as the group addresses them. */
  mentions: string[];
}

/** The message a reaction, an edit or a delete is about, keyed as WhatsApp keys it. */
function keyOf(target: MessageTarget, address: string): WAMessageKey {
  return {
    remoteJid: address,
    fromMe: target.from_me,
    id: target.message_id,
    ...(target.participant ? { participant: target.participant } : {}),
  };
}

/**
 * The one place stored content becomes what Baileys sends: the outbox worker sends each job through it, so a
 * resend after a drop or a restart carries the same content under the same id.
 */
export function toBaileysContent(
  content: MessageContent,
  { address, secret, mentions }: ContentContext,
): AnyMessageContent {
  const mentioned = mentions.length ? { mentions } : {};
  switch (content.kind) {
    case 'text':
      // linkPreview null: Baileys would otherwise fetch any URL in the text from the network.
      return { text: content.text, linkPreview: null, ...mentioned };
    case 'location': {
      const { latitude, longitude, name, address: place } = content.location;
      return {
        location: {
          degreesLatitude: latitude,
          degreesLongitude: longitude,
          ...(name ? { name } : {}),
          ...(place ? { address: place } : {}),
        },
      };
    }
    case 'contact_card': {
      const contacts = content.contacts.map((card) => ({ displayName: card.name, vcard: vcardOf(card) }));
      return { contacts: { displayName: contacts.length === 1 ? contacts[0]!.displayName : undefined, contacts } };
    }
    case 'poll': {
      const { question, options, selectable_count } = content.poll;
      const messageSecret = secret ?? undefined;
      return {
        poll: { name: question, values: options, selectableCount: selectable_count, messageSecret },
        ...mentioned,
      };
    }
    case 'reaction':
      return { react: { key: keyOf(content.target, address), text: content.emoji } };
    case 'edit':
      return { text: content.text, edit: keyOf(content.target, address), linkPreview: null };
    case 'delete':
      return { delete: keyOf(content.target, address) };
    case 'other':
      throw new Error('a message of a kind WaGate does not read cannot be sent');
  }
}

/** The words "typing…" stands for before the message leaves: what a person would have typed. */
export function typedWordsOf(content: MessageContent): string {
  switch (content.kind) {
    case 'text':
    case 'edit':
      return content.text;
    case 'poll':
      return [content.poll.question, ...content.poll.options].join(' ');
    case 'location':
      return content.location.name ?? '';
    default:
      return '';
  }
}
