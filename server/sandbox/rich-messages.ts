import { randomBytes, createHash } from 'node:crypto';
import { aesEncryptGCM, hmacSign, proto } from '@whiskeysockets/baileys';
import { ApiError } from '../api-error.ts';
import type { ContactAction } from '../contract/sandbox-contact-actions.ts';
import type { InboxEntry } from '../contract/sandbox.ts';
import { contactJid } from './lid-addressing.ts';
import type { SandboxState } from './sandbox-state.ts';
import type { ContactState } from './virtual-contacts.ts';

const { Type } = proto.Message.ProtocolMessage;

/** The fields of an inbox entry that a location, a contact card, a poll, a reaction, an edit or a delete fills in. */
export type RichFields = Pick<
  InboxEntry,
  'kind' | 'location' | 'contacts' | 'poll' | 'target_message_id' | 'emoji' | 'text' | 'poll_secret'
>;

/** A vCard's name and the number in its `waid`, as a phone reads a card. */
function readVcard(vcard: string, displayName: string | null | undefined) {
  const name = /^FN:(.*)$/m.exec(vcard)?.[1]?.replace(/\\(.)/g, '$1') ?? displayName ?? '';
  return { name, phone: /waid=(\d+)/.exec(vcard)?.[1] ?? null, vcard };
}

/** What a message WaGate sent says, for the kinds beyond text and media; null for those. */
export function richFieldsOf(msg: proto.IMessage): RichFields | null {
  if (msg.locationMessage) {
    const l = msg.locationMessage;
    const location = {
      latitude: l.degreesLatitude ?? 0,
      longitude: l.degreesLongitude ?? 0,
      name: l.name ?? null,
      address: l.address ?? null,
    };
    return { kind: 'location', text: null, location };
  }
  const cards = msg.contactMessage ? [msg.contactMessage] : msg.contactsArrayMessage?.contacts;
  if (cards)
    return { kind: 'contact_card', text: null, contacts: cards.map((c) => readVcard(c.vcard ?? '', c.displayName)) };
  const poll = msg.pollCreationMessageV3 ?? msg.pollCreationMessage ?? msg.pollCreationMessageV2;
  if (poll) {
    const secret = msg.messageContextInfo?.messageSecret;
    return {
      kind: 'poll',
      text: null,
      poll: {
        question: poll.name ?? '',
        options: (poll.options ?? []).map((o) => o.optionName ?? ''),
        selectable_count: poll.selectableOptionsCount ?? 0,
        votes: [],
      },
      poll_secret: secret ? Buffer.from(secret).toString('base64') : undefined,
    };
  }
  if (msg.reactionMessage) {
    const r = msg.reactionMessage;
    return { kind: 'reaction', text: null, target_message_id: r.key?.id ?? '', emoji: r.text ?? '' };
  }
  const p = msg.protocolMessage;
  if (p?.type === Type.MESSAGE_EDIT) {
    const edited = p.editedMessage;
    const text = edited?.conversation ?? edited?.extendedTextMessage?.text ?? null;
    return { kind: 'edit', text, target_message_id: p.key?.id ?? '' };
  }
  if (p?.type === Type.REVOKE) return { kind: 'delete', text: null, target_message_id: p.key?.id ?? '' };
  return null;
}

/**
 * An edit or a delete from WaGate changes the message it is about on the contact's phone, if WaGate sent that message
 * (a phone ignores an edit of someone else's message); false when it did not apply.
 */
export function applyToTarget(state: SandboxState, c: ContactState, entry: InboxEntry): boolean {
  if (entry.kind !== 'edit' && entry.kind !== 'delete') return true;
  const target = entry.target_message_id
    ? state.store.inboxMessage<InboxEntry>(c.number, entry.target_message_id)
    : undefined;
  if (!target || target.entry.deleted) return false;
  const updated: InboxEntry =
    entry.kind === 'edit'
      ? { ...target.entry, text: entry.text, edits: [...(target.entry.edits ?? []), target.entry.text ?? ''] }
      : { ...target.entry, text: null, deleted: true };
  state.store.updateInbox(target.seq, updated);
  return true;
}

/** How the contact and WaGate's account are addressed in their chat: by LID when the contact is LID-migrated. */
function chatAddresses(state: SandboxState, c: ContactState) {
  return { contact: contactJid(c), phone: c.lidMigrated ? `${state.phone.lid}@lid` : state.phoneJid };
}

/** A message of the chat as the contact keys it: the contact's own (fromMe), or WaGate's. */
function keyFor(state: SandboxState, c: ContactState, messageId: string): proto.IMessageKey {
  const own = c.sent.some((s) => s.message_id === messageId);
  const theirs = state.store.inboxMessage<InboxEntry>(c.number, messageId) !== undefined;
  if (!own && !theirs) throw new ApiError(404, `${c.name} has no message ${messageId} in this chat`);
  return { remoteJid: chatAddresses(state, c).phone, fromMe: own, id: messageId };
}

/**
 * A poll vote as WhatsApp encrypts it (the reverse of Baileys' decryptPollVote): the SHA-256 of each chosen option's
 * name, sealed with AES-GCM under a key derived from the poll's secret, its id, its creator and the voter.
 */
function encryptVote(secret: Uint8Array, pollId: string, creator: string, voter: string, options: string[]) {
  const selectedOptions = options.map((o) => createHash('sha256').update(o).digest());
  const plain = proto.Message.PollVoteMessage.encode({ selectedOptions }).finish();
  const sign = Buffer.concat([pollId, creator, voter, 'Poll Vote'].map((s) => Buffer.from(s)).concat(Buffer.of(1)));
  const key = hmacSign(sign, hmacSign(secret, new Uint8Array(32), 'sha256'), 'sha256');
  const encIv = randomBytes(12);
  const encPayload = aesEncryptGCM(plain, key, encIv, Buffer.from(`${pollId}\u0000${voter}`));
  return { encPayload, encIv };
}

function pollVote(state: SandboxState, c: ContactState, action: Extract<ContactAction, { kind: 'poll_vote' }>) {
  const row = state.store.inboxMessage<InboxEntry>(c.number, action.poll_message_id);
  const poll = row?.entry.poll;
  if (!row || !poll || !row.entry.poll_secret)
    throw new ApiError(404, `${c.name} has no poll ${action.poll_message_id} from WaGate`);
  const unknown = action.options.find((o) => !poll.options.includes(o));
  if (unknown !== undefined) throw new ApiError(400, `the poll has no option "${unknown}"`);
  if (poll.selectable_count > 0 && action.options.length > poll.selectable_count)
    throw new ApiError(400, `the poll lets a person choose at most ${poll.selectable_count}`);
  const { contact, phone } = chatAddresses(state, c);
  const secret = Buffer.from(row.entry.poll_secret, 'base64');
  const vote = encryptVote(secret, action.poll_message_id, phone, contact, action.options);
  state.store.updateInbox(row.seq, { ...row.entry, poll: { ...poll, votes: action.options } });
  return {
    pollUpdateMessage: {
      pollCreationMessageKey: { remoteJid: phone, fromMe: false, id: action.poll_message_id },
      vote,
      senderTimestampMs: Date.now(),
    },
  };
}

function vcardFor(card: { name: string; phone: string }): string {
  const digits = card.phone.replace(/\D/g, '');
  return `BEGIN:VCARD\nVERSION:3.0\nFN:${card.name}\nTEL;type=CELL;type=VOICE;waid=${digits}:+${digits}\nEND:VCARD`;
}

/** The message a phone sends for a contact's action; a reaction, edit or delete must be about a message of the chat. */
export function contactActionMessage(state: SandboxState, c: ContactState, action: ContactAction): proto.IMessage {
  switch (action.kind) {
    case 'location':
      return {
        locationMessage: {
          degreesLatitude: action.latitude,
          degreesLongitude: action.longitude,
          name: action.name ?? null,
          address: action.address ?? null,
        },
      };
    case 'contact_card': {
      const contacts = action.contacts.map((card) => ({ displayName: card.name, vcard: vcardFor(card) }));
      if (contacts.length === 1) return { contactMessage: contacts[0] };
      return { contactsArrayMessage: { displayName: `${contacts.length} contacts`, contacts } };
    }
    case 'poll': {
      const creation = {
        name: action.question,
        options: action.options.map((optionName) => ({ optionName })),
        selectableOptionsCount: action.selectable_count,
      };
      const poll =
        action.selectable_count === 1 ? { pollCreationMessageV3: creation } : { pollCreationMessage: creation };
      return { ...poll, messageContextInfo: { messageSecret: randomBytes(32) } };
    }
    case 'poll_vote':
      return pollVote(state, c, action);
    case 'reaction':
      return {
        reactionMessage: {
          key: keyFor(state, c, action.message_id),
          text: action.emoji,
          senderTimestampMs: Date.now(),
        },
      };
    case 'edit':
    case 'delete': {
      const key = keyFor(state, c, action.message_id);
      if (!key.fromMe) throw new ApiError(409, `${c.name} can only ${action.kind} their own messages`);
      if (action.kind === 'delete') return { protocolMessage: { type: Type.REVOKE, key } };
      return {
        protocolMessage: {
          type: Type.MESSAGE_EDIT,
          key,
          editedMessage: { conversation: action.text },
          timestampMs: Date.now(),
        },
      };
    }
  }
}
