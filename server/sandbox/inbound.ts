import type { proto } from '@whiskeysockets/baileys';
import { ApiError } from '../api-error.ts';
import type { Connection } from './connection.ts';
import { inboxOf, requireContact } from './contact-book.ts';
import { encryptFor, type Delivery } from './delivery.ts';
import { type BinaryNode, child, children, node, nowSeconds, phoneMessageId, userOf } from './frames.ts';
import type { SandboxState } from './sandbox-state.ts';
import type { ContactState } from './virtual-contacts.ts';
import type { LinkedDevice } from './virtual-phone.ts';
import { contactJid, senderAttrs } from './lid-addressing.ts';

export interface Inbound {
  /** A contact writes to WaGate: encrypted to every linked device, sent now or queued for its next login. */
  sendFromContact(
    number: string,
    input: { text: string; reply_to_message_id?: string },
  ): Promise<{ message_id: string }>;
  /** A linked device's `<receipt>` for a contact's message: that contact's session with it is confirmed. */
  onReceipt(conn: Connection, n: BinaryNode): void;
}

interface AwaitedReceipt {
  id: string;
  done: Promise<void>;
  resolve: () => void;
}

/** Contacts writing to WaGate. */
export function createInbound(state: SandboxState, delivery: Delivery): Inbound {
  /** Prekey messages from a contact to a linked device that are waiting for that device's receipt, by contact:device. */
  const awaitingReceipt = new Map<string, AwaitedReceipt>();

  const onReceipt = (conn: Connection, n: BinaryNode) => {
    const to = n.attrs.to ? userOf(n.attrs.to) : null;
    const c = to ? state.contactByUser(to.user) : undefined;
    const device = conn.device?.device;
    if (!c || device === undefined) return;
    const ids = [n.attrs.id, ...children(child(n, 'list'), 'item').map((i) => i.attrs.id)];
    const key = `${c.number}:${device}`;
    const waiting = awaitingReceipt.get(key);
    if (ids.some((id) => id && c.sent.some((s) => s.message_id === id))) {
      state.contactDevice(c).confirmSession(state.linkedAddress(device));
    }
    if (waiting && ids.includes(waiting.id)) {
      awaitingReceipt.delete(key);
      waiting.resolve();
    }
  };

  /** The stanza for one linked device. A contact that just sent it a prekey message waits (briefly) for its receipt first. */
  const stanzaFor = async (
    c: ContactState,
    d: LinkedDevice,
    id: string,
    t: string,
    message: proto.IMessage,
  ): Promise<BinaryNode> => {
    const key = `${c.number}:${d.device}`;
    const waiting = awaitingReceipt.get(key);
    if (waiting) await Promise.race([waiting.done, new Promise((r) => setTimeout(r, 1500))]);
    const { type, ciphertext } = await encryptFor(state, state.contactDevice(c), d, message);
    if (type === 'pkmsg') {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      awaitingReceipt.set(key, { id, done, resolve });
    }
    return node('message', { ...senderAttrs(c), id, type: 'text', t, notify: c.name }, [
      node('enc', { v: '2', type }, ciphertext),
    ]);
  };

  const sendFromContact = async (number: string, input: { text: string; reply_to_message_id?: string }) => {
    const c = requireContact(state, number);
    if (!c.onWhatsApp) throw new ApiError(409, `${c.name} is not on WhatsApp`);
    if (state.phone.devices.length === 0)
      throw new ApiError(409, 'the virtual phone has no linked device to deliver to');
    const id = phoneMessageId();
    const message = contactMessage(state, c, input);
    const t = nowSeconds();
    await delivery.toLinked((d) => stanzaFor(c, d, id, t, message));
    c.sent.push({ message_id: id, text: input.text, timestamp: Date.now() });
    if (c.sent.length > 500) c.sent.splice(0, c.sent.length - 500);
    state.saveContact(c);
    return { message_id: id };
  };

  return { sendFromContact, onReceipt };
}

/** A plain text is a `conversation`; a reply an `extendedTextMessage` quoting the contact's message or WaGate's. */
function contactMessage(
  state: SandboxState,
  c: ContactState,
  input: { text: string; reply_to_message_id?: string },
): proto.IMessage {
  const quotedId = input.reply_to_message_id;
  if (!quotedId) return { conversation: input.text };
  const theirs = c.sent.find((s) => s.message_id === quotedId);
  const ours = inboxOf(state, c.number).find((e) => e.message_id === quotedId);
  const contextInfo: proto.IContextInfo = {
    stanzaId: quotedId,
    participant: theirs ? contactJid(c) : state.phoneJid,
    quotedMessage: { conversation: theirs?.text ?? ours?.text ?? '' },
  };
  return { extendedTextMessage: { text: input.text, contextInfo } };
}

/** WaGate subscribes to a contact's presence: contacts are "last seen a minute ago". */
export function answerPresenceSubscribe(state: SandboxState, conn: Connection, n: BinaryNode): void {
  const u = n.attrs.to ? userOf(n.attrs.to) : null;
  const c = u ? state.contactByUser(u.user) : undefined;
  if (!c?.onWhatsApp) return;
  conn.send(
    node('presence', { from: n.attrs.to, type: 'unavailable', last: String(Math.floor(Date.now() / 1000) - 60) }),
  );
}
