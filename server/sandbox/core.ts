import type { WebSocket } from 'ws';
import { Curve, proto, unpadRandomMax16 } from '@whiskeysockets/baileys';
import { ApiError } from '../http/envelope.ts';
import type { Logger } from '../logger.ts';
import { Connection } from './connection.ts';
import { addContact, contactViews, inboxOf, requireContact } from './contact-book.ts';
import { createDelivery, encryptFor, type Delivery } from './delivery.ts';
import { type BinaryNode, bytes, child, children, node, nowSeconds, phoneMessageId, userOf } from './frames.ts';
import { handleIq } from './iq-handlers.ts';
import { phoneView, unlink } from './linked-devices.ts';
import { createLogin, type Login } from './login.ts';
import { buildCertChain, type KeyPair, type ServerIdentity } from './noise-server.ts';
import { createPairingCode, type PairingCode } from './pairing-code.ts';
import { register, scan } from './pairing.ts';
import { createSandboxState, type SandboxState } from './sandbox-state.ts';
import type { SignalDevice } from './signal-device.ts';
import type { SandboxStore } from './store.ts';
import { type ContactState, type ContactView, type FrameEvent, type InboxEntry, SEED_CONTACTS } from './virtual-contacts.ts';
import type { PhoneView } from './virtual-phone.ts';

interface ServerKeys {
  root: KeyPair;
  intermediate: KeyPair;
  static: KeyPair;
}

export type FaultKind = 'drop' | 'refuse' | 'replaced' | 'unlink';

/**
 * The simulated WhatsApp server, its virtual phone and contacts: everything but the HTTP/WebSocket plumbing.
 * State lives in the SandboxStore so a restart resumes.
 */
export class SandboxCore {
  readonly logger: Logger;
  private readonly keys: ServerKeys;
  readonly identity: ServerIdentity;
  private readonly state: SandboxState;
  /** Presence/chatstate frames seen since the last message to each contact. */
  private readonly pendingFrames = new Map<string, FrameEvent[]>();
  /** Inbox row of the last message to each contact (its `after` list grows until the next); filled on first use. */
  private readonly lastInbox = new Map<string, number | undefined>();
  private refusedUntil = 0;
  private readonly delivery: Delivery;
  private readonly login: Login;
  private readonly pairingCode: PairingCode;

  constructor(store: SandboxStore, logger: Logger) {
    this.logger = logger;
    let keys = store.get<ServerKeys>('server-keys');
    if (!keys) {
      keys = { root: Curve.generateKeyPair() as KeyPair, intermediate: Curve.generateKeyPair() as KeyPair, static: Curve.generateKeyPair() as KeyPair };
      store.set('server-keys', keys);
    }
    this.keys = keys;
    this.identity = { staticKey: keys.static, certChain: buildCertChain(keys.root, keys.intermediate, keys.static) };
    this.state = createSandboxState(store, logger);
    if (this.state.contacts.size === 0) for (const seed of SEED_CONTACTS) addContact(this.state, seed);
    this.delivery = createDelivery(this.state);
    this.login = createLogin(this.state, this.delivery);
    this.pairingCode = createPairingCode(this.state);
  }

  get rootPublicKey(): string {
    return this.keys.root.public.toString('base64');
  }

  phone(): PhoneView {
    return phoneView(this.state);
  }

  contacts(): ContactView[] {
    return contactViews(this.state);
  }

  addContact(input: { number: string; name: string; on_whatsapp: boolean }): ContactView {
    return addContact(this.state, input);
  }

  inbox(number: string): InboxEntry[] {
    return inboxOf(this.state, number);
  }

  scan(qr: string): Promise<PhoneView> {
    return scan(this.state, qr);
  }

  enterPairingCode(code: string): Promise<PhoneView> {
    return this.pairingCode.enterPairingCode(code);
  }

  unlink(): Promise<void> {
    return unlink(this.state);
  }

  // ---------- connections ----------

  get refusing(): boolean {
    return Date.now() < this.refusedUntil;
  }

  accept(ws: WebSocket): void {
    const conn = new Connection(ws, this.identity, {
      onPayload: (c, p) => this.onPayload(c, p),
      onNode: (c, n) => this.onNode(c, n),
      onClose: (c) => this.onClose(c),
    }, this.logger);
    this.state.connections.add(conn);
  }

  private onClose(conn: Connection): void {
    this.state.connections.delete(conn);
    this.pairingCode.forget(conn);
  }

  private onPayload(conn: Connection, payload: proto.ClientPayload): void {
    const loggingIn = payload.username !== null && payload.username !== undefined && Number(payload.username) > 0;
    if (loggingIn) this.login.login(conn, payload);
    else register(conn, payload);
  }

  private async onNode(conn: Connection, n: BinaryNode): Promise<void> {
    switch (n.tag) {
      case 'iq':
        return handleIq({
          state: this.state,
          afterDigest: this.login.afterDigest,
          onLinkCodeIq: this.pairingCode.onLinkCodeIq,
        }, conn, n);
      case 'message':
        return this.onClientMessage(conn, n);
      case 'receipt':
        conn.send(node('ack', { class: 'receipt', id: n.attrs.id, from: n.attrs.to, type: n.attrs.type }));
        this.onClientReceipt(conn, n);
        return;
      case 'presence':
        if (n.attrs.type === 'subscribe') return this.onPresenceSubscribe(conn, n);
        return this.onPresence(n);
      case 'chatstate':
        return this.onChatstate(n);
      case 'ack':
      case 'ib':
        return;
      default:
        this.logger.info(`[sandbox] ignoring <${n.tag}> from client`);
    }
  }

  // ---------- messages from the client ----------

  private framesFor(number: string): FrameEvent[] {
    let list = this.pendingFrames.get(number);
    if (!list) {
      list = [];
      this.pendingFrames.set(number, list);
    }
    return list;
  }

  private lastInboxSeq(number: string): number | undefined {
    if (!this.lastInbox.has(number)) this.lastInbox.set(number, this.state.store.inbox<InboxEntry>(number).at(-1)?.seq);
    return this.lastInbox.get(number);
  }

  private recordFrame(c: ContactState, ev: FrameEvent): void {
    this.framesFor(c.number).push(ev);
    const seq = this.lastInboxSeq(c.number);
    const entry = seq === undefined ? undefined : this.state.store.inboxEntry<InboxEntry>(seq);
    if (seq !== undefined && entry) {
      entry.after = [...(entry.after ?? []), ev];
      this.state.store.updateInbox(seq, entry);
    }
  }

  private onPresence(n: BinaryNode): void {
    const type = n.attrs.type;
    if (type !== 'available' && type !== 'unavailable') return; // <presence/> and <presence name=…/> are not presence changes
    const ev: FrameEvent = { kind: 'presence', value: type, at: Date.now() };
    for (const c of this.state.contacts.values()) if (c.onWhatsApp) this.recordFrame(c, ev);
  }

  /** A subscription to a contact's presence: contacts are "last seen a minute ago". */
  private onPresenceSubscribe(conn: Connection, n: BinaryNode): void {
    const u = n.attrs.to ? userOf(n.attrs.to) : null;
    const c = u ? this.state.contactByUser(u.user) : undefined;
    if (!c?.onWhatsApp) return;
    conn.send(node('presence', { from: n.attrs.to, type: 'unavailable', last: String(Math.floor(Date.now() / 1000) - 60) }));
  }

  private onChatstate(n: BinaryNode): void {
    const to = n.attrs.to;
    const u = to ? userOf(to) : null;
    const c = u ? this.state.contactByUser(u.user) : undefined;
    const state = Array.isArray(n.content) ? n.content[0]?.tag : undefined;
    if (!c || (state !== 'composing' && state !== 'paused')) return;
    this.recordFrame(c, { kind: 'chatstate', value: state, at: Date.now() });
  }

  private async onClientMessage(conn: Connection, n: BinaryNode): Promise<void> {
    const id = n.attrs.id ?? '';
    const to = n.attrs.to ?? '';
    const sender = conn.device?.device;
    const ack = () => conn.send(node('ack', { class: 'message', id, from: to, t: nowSeconds() }));
    if (sender === undefined || !conn.loggedIn) return ack();
    const dest = userOf(to);
    const contact = dest && !this.state.isPhoneUser(dest.user) ? this.state.contactByUser(dest.user) : undefined;
    let recorded: proto.IMessage | null = null;
    for (const t of children(child(n, 'participants'), 'to')) {
      const target = userOf(t.attrs.jid ?? '');
      const enc = child(t, 'enc');
      const ciphertext = bytes(enc);
      if (!target || !enc || !ciphertext || target.device !== 0) continue;
      let device: SignalDevice | undefined;
      const targetContact = this.state.isPhoneUser(target.user) ? undefined : this.state.contactByUser(target.user);
      if (this.state.isPhoneUser(target.user)) device = this.state.phoneDevice;
      else if (targetContact?.onWhatsApp) device = this.state.contactDevice(targetContact);
      if (!device) continue;
      try {
        const plain = await device.decrypt(this.state.linkedAddress(sender), enc.attrs.type ?? '', ciphertext);
        const msg = proto.Message.decode(unpadRandomMax16(plain));
        if (targetContact && targetContact === contact) recorded = msg;
      } catch (err) {
        this.logger.warn({ err: String(err) }, `[sandbox] could not decrypt ${enc.attrs.type} for ${t.attrs.jid}`);
      }
    }
    ack();
    if (contact && recorded) {
      this.recordInbox(contact, id, recorded);
      this.state.later(30, () => this.deliverReceipt(contact, id, undefined));
    }
  }

  private recordInbox(c: ContactState, id: string, msg: proto.IMessage): void {
    const ext = msg.extendedTextMessage;
    const text = msg.conversation ?? ext?.text ?? null;
    let quoted: string | null = ext?.contextInfo?.stanzaId ?? null;
    const type = Object.keys(msg).find((k) => k !== 'messageContextInfo' && (msg as Record<string, unknown>)[k] != null) ?? 'unknown';
    if (!quoted) {
      const inner = (msg as Record<string, { contextInfo?: proto.IContextInfo } | undefined>)[type];
      quoted = inner?.contextInfo?.stanzaId ?? null;
    }
    const entry: InboxEntry = {
      message_id: id,
      text,
      quoted_message_id: quoted,
      timestamp: Date.now(),
      before: this.framesFor(c.number).splice(0),
      after: [],
      type,
      delivered: false,
      read: false,
    };
    const seq = this.state.store.appendInbox(c.number, entry);
    this.lastInbox.set(c.number, seq);
    this.logger.info(`[sandbox] ${c.name} (${c.number}) received ${id}: ${JSON.stringify(text)}`);
  }

  private updateInboxEntry(c: ContactState, id: string, patch: Partial<InboxEntry>): boolean {
    const row = this.state.store.inbox<InboxEntry>(c.number).find((r) => r.entry.message_id === id);
    if (!row) return false;
    this.state.store.updateInbox(row.seq, { ...row.entry, ...patch });
    return true;
  }

  private deliverReceipt(c: ContactState, id: string, type: 'read' | undefined): void {
    const entry = this.state.store.inbox<InboxEntry>(c.number).find((r) => r.entry.message_id === id)?.entry;
    if (entry?.delivered && type === undefined) return; // already delivered (e.g. read came first)
    if (entry && !entry.delivered && type === 'read') this.deliverReceipt(c, id, undefined);
    this.updateInboxEntry(c, id, type === 'read' ? { read: true, delivered: true } : { delivered: true });
    void this.delivery.toLinked(() => node('receipt', { from: `${c.number}@s.whatsapp.net`, id, t: nowSeconds(), type }));
  }

  async sendReceipt(number: string, input: { message_id: string; type: 'delivered' | 'read' }): Promise<void> {
    const c = requireContact(this.state, number);
    if (!inboxOf(this.state, c.number).some((e) => e.message_id === input.message_id)) {
      throw new ApiError(404, `${c.name} has no message ${input.message_id}`);
    }
    this.deliverReceipt(c, input.message_id, input.type === 'read' ? 'read' : undefined);
  }

  // ---------- messages from contacts ----------

  /** Prekey messages from a contact to a linked device that are waiting for that device's receipt. */
  private readonly awaitingReceipt = new Map<string, { id: string; done: Promise<void>; resolve: () => void }>();

  private onClientReceipt(conn: Connection, n: BinaryNode): void {
    const to = n.attrs.to ? userOf(n.attrs.to) : null;
    const c = to ? this.state.contactByUser(to.user) : undefined;
    const device = conn.device?.device;
    if (!c || device === undefined) return;
    const ids = [n.attrs.id, ...children(child(n, 'list'), 'item').map((i) => i.attrs.id)];
    const key = `${c.number}:${device}`;
    const waiting = this.awaitingReceipt.get(key);
    if (ids.some((id) => id && c.sent.some((s) => s.message_id === id))) {
      this.state.contactDevice(c).confirmSession(this.state.linkedAddress(device));
    }
    if (waiting && ids.includes(waiting.id)) {
      this.awaitingReceipt.delete(key);
      waiting.resolve();
    }
  }

  async sendFromContact(number: string, input: { text: string; reply_to_message_id?: string }): Promise<{ message_id: string }> {
    const c = requireContact(this.state, number);
    if (!c.onWhatsApp) throw new ApiError(409, `${c.name} is not on WhatsApp`);
    if (this.state.phone.devices.length === 0) throw new ApiError(409, 'the virtual phone has no linked device to deliver to');
    const id = phoneMessageId();
    let message: proto.IMessage = { conversation: input.text };
    if (input.reply_to_message_id) {
      const quotedId = input.reply_to_message_id;
      const theirs = c.sent.find((s) => s.message_id === quotedId);
      const ours = inboxOf(this.state, c.number).find((e) => e.message_id === quotedId);
      const contextInfo: proto.IContextInfo = {
        stanzaId: quotedId,
        participant: theirs ? `${c.number}@s.whatsapp.net` : this.state.phoneJid,
        quotedMessage: { conversation: theirs?.text ?? ours?.text ?? '' },
      };
      message = { extendedTextMessage: { text: input.text, contextInfo } };
    }
    const t = nowSeconds();
    const device = this.state.contactDevice(c);
    await this.delivery.toLinked(async (d) => {
      // A phone that just sent a prekey message waits (briefly) for the device's receipt before the next one.
      const key = `${c.number}:${d.device}`;
      const waiting = this.awaitingReceipt.get(key);
      if (waiting) await Promise.race([waiting.done, new Promise((r) => setTimeout(r, 1500))]);
      const { type, ciphertext } = await encryptFor(this.state, device, d, message);
      if (type === 'pkmsg') {
        let resolve!: () => void;
        const done = new Promise<void>((r) => (resolve = r));
        this.awaitingReceipt.set(key, { id, done, resolve });
      }
      return node('message', {
        from: `${c.number}@s.whatsapp.net`, id, type: 'text', t, notify: c.name, sender_lid: `${c.lid}@lid`,
      }, [node('enc', { v: '2', type }, ciphertext)]);
    });
    c.sent.push({ message_id: id, text: input.text, timestamp: Date.now() });
    if (c.sent.length > 500) c.sent.splice(0, c.sent.length - 500);
    this.state.saveContact(c);
    return { message_id: id };
  }

  // ---------- faults ----------

  fault(input: { kind: FaultKind; duration_ms?: number }): void {
    const live = [...this.state.connections];
    switch (input.kind) {
      case 'drop':
        for (const c of live) c.terminate();
        return;
      case 'refuse':
        this.refusedUntil = Date.now() + (input.duration_ms ?? 5000);
        for (const c of live) c.terminate();
        return;
      case 'replaced':
        for (const c of live) if (c.loggedIn) c.end(node('stream:error', {}, [node('conflict', { type: 'replaced' })]));
        return;
      case 'unlink':
        void this.unlink();
        return;
    }
  }

  close(): void {
    this.state.close();
  }
}
