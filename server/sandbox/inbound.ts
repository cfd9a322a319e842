import type { proto } from '@whiskeysockets/baileys';
import { ApiError } from '../api-error.ts';
import type { Connection } from './connection.ts';
import { requireContact } from './contact-book.ts';
import { encryptFor, type Delivery } from './delivery.ts';
import { type BinaryNode, child, children, node, nowSeconds, phoneMessageId, userOf } from './frames.ts';
import type { SandboxState } from './sandbox-state.ts';
import type { ContactState, InboxEntry, SentByContact } from './virtual-contacts.ts';
import type { ContactMediaInput } from '../contract/sandbox.ts';
import { encryptMedia } from './media-messages.ts';
import type { MediaServers } from './media-servers.ts';
import type { LinkedDevice } from './virtual-phone.ts';
import { contactJid, senderAttrs } from './lid-addressing.ts';
import { contactActionMessage } from './rich-messages.ts';
import type { ContactAction } from '../contract/sandbox-contact-actions.ts';

export interface Inbound {
  /** A contact writes to WaGate: encrypted to every linked device, sent now or queued for its next login. */
  sendFromContact(
    number: string,
    input: { text: string; reply_to_message_id?: string },
  ): Promise<{ message_id: string }>;
  /** A contact sends WaGate a media file: encrypted and uploaded as its phone would, then the message delivered. */
  sendMediaFromContact(number: string, input: ContactMediaInput): Promise<{ message_id: string }>;
  /** The media servers drop a file a contact sent (old media): its download answers 404. */
  expireContactMedia(number: string, messageId: string): void;
  /** A contact sends a location, contact card, poll, poll vote, reaction, edit or delete, as their phone would. */
  sendActionFromContact(number: string, action: ContactAction): Promise<{ message_id: string }>;
  /** A linked device's `<receipt>` for a contact's message: that contact's session with it is confirmed. */
  onReceipt(conn: Connection, n: BinaryNode): void;
}

interface AwaitedReceipt {
  id: string;
  done: Promise<void>;
  resolve: () => void;
}

/** Contacts writing to WaGate. */
export function createInbound(state: SandboxState, delivery: Delivery, mediaServers: MediaServers): Inbound {
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
    stanzaType: 'text' | 'media',
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
    return node('message', { ...senderAttrs(c), id, type: stanzaType, t, notify: c.name }, [
      node('enc', { v: '2', type }, ciphertext),
    ]);
  };

  const deliver = async (c: ContactState, message: proto.IMessage, sent: Omit<SentByContact, 'message_id'>) => {
    if (!c.onWhatsApp) throw new ApiError(409, `${c.name} is not on WhatsApp`);
    if (state.phone.devices.length === 0)
      throw new ApiError(409, 'the virtual phone has no linked device to deliver to');
    const id = phoneMessageId();
    const t = nowSeconds();
    const type = sent.direct_path ? 'media' : 'text';
    await delivery.toLinked((d) => stanzaFor(c, d, id, t, message, type));
    c.sent.push({ message_id: id, ...sent });
    if (c.sent.length > 500) c.sent.splice(0, c.sent.length - 500);
    state.saveContact(c);
    return { message_id: id };
  };

  const sendFromContact = async (number: string, input: { text: string; reply_to_message_id?: string }) => {
    const c = requireContact(state, number);
    return deliver(c, contactMessage(state, c, input), { text: input.text, timestamp: Date.now() });
  };

  const sendMediaFromContact = async (number: string, input: ContactMediaInput) => {
    const c = requireContact(state, number);
    const { message, directPath } = await mediaMessage(mediaServers, input);
    return deliver(c, message, { text: input.caption ?? '', timestamp: Date.now(), direct_path: directPath });
  };

  const expireContactMedia = (number: string, messageId: string) => {
    const c = requireContact(state, number);
    const sent = c.sent.find((s) => s.message_id === messageId);
    if (!sent?.direct_path) throw new ApiError(404, `${c.name} sent no media message ${messageId}`);
    mediaServers.forget(sent.direct_path);
  };

  const sendActionFromContact = async (number: string, action: ContactAction) => {
    const c = requireContact(state, number);
    const text = action.kind === 'edit' ? action.text : '';
    return deliver(c, contactActionMessage(state, c, action), { text, timestamp: Date.now() });
  };

  return { sendFromContact, sendMediaFromContact, expireContactMedia, sendActionFromContact, onReceipt };
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
  const ours = state.store.inboxMessage<InboxEntry>(c.number, quotedId)?.entry;
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

/** WhatsApp's key type for each kind's file (Baileys' MEDIA_HKDF_KEY_MAPPING), and the message field it goes in. */
const MEDIA_FIELDS = {
  image: ['image', 'imageMessage'],
  video: ['video', 'videoMessage'],
  audio: ['audio', 'audioMessage'],
  voice: ['audio', 'audioMessage'],
  document: ['document', 'documentMessage'],
  sticker: ['sticker', 'stickerMessage'],
} as const;

/** A contact's phone encrypts the file, uploads it to the media servers and writes the message that points at it. */
async function mediaMessage(
  servers: MediaServers,
  input: ContactMediaInput,
): Promise<{ message: proto.IMessage; directPath: string }> {
  const plain = Buffer.from(input.base64, 'base64');
  const [keyType, field] = MEDIA_FIELDS[input.kind];
  const { encrypted, mediaKey, fileSha256, fileEncSha256 } = await encryptMedia(plain, keyType);
  const directPath = servers.store(encrypted);
  const part: Record<string, unknown> = {
    url: servers.urlOf(directPath),
    directPath,
    mediaKey,
    fileSha256,
    fileEncSha256,
    fileLength: plain.length,
    mimetype: input.mime_type,
    mediaKeyTimestamp: nowSeconds(),
  };
  if (input.caption && (input.kind === 'image' || input.kind === 'video' || input.kind === 'document'))
    part.caption = input.caption;
  if (input.kind === 'document') part.fileName = input.file_name ?? 'file';
  if (input.kind === 'audio' || input.kind === 'voice') part.seconds = input.seconds ?? 1;
  if (input.kind === 'voice') part.ptt = true;
  return { message: { [field]: part }, directPath };
}
