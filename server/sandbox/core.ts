import { deflateSync } from 'node:zlib';
import type { WebSocket } from 'ws';
import { Curve, proto, unpadRandomMax16, writeRandomPadMax16 } from '@whiskeysockets/baileys';
import { ApiError } from '../http/envelope.ts';
import type { Logger } from '../logger.ts';
import { Connection, type Registration } from './connection.ts';
import { type BinaryNode, beUint, bytes, child, children, node, nowSeconds, phoneMessageId, S_WHATSAPP_NET, userOf } from './frames.ts';
import { addContact, contactViews, inboxOf, requireContact } from './contact-book.ts';
import { handleIq } from './iq-handlers.ts';
import { deriveAdvSecret, isPairingCode, normalizePairingCode, openKeyBundle, unwrapEphemeral, wrapEphemeral } from './link-code.ts';
import { buildCertChain, type KeyPair, type ServerIdentity } from './noise-server.ts';
import { phoneView, unlink } from './linked-devices.ts';
import { linkedBundle } from './prekeys.ts';
import { createSandboxState, type SandboxState } from './sandbox-state.ts';
import type { SignalDevice } from './signal-device.ts';
import type { SandboxStore } from './store.ts';
import {
  type ContactState, type ContactView, type FrameEvent, type InboxEntry,
  normalizeNumber, SEED_CONTACTS,
} from './virtual-contacts.ts';
import {
  type LinkedDevice, type PhoneView,
  buildPairSuccessIdentity, parseQr, randomRef, verifyPairDeviceSign,
} from './virtual-phone.ts';

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
    for (const [ref, waiter] of this.companionFinish) {
      if (waiter.conn !== conn) continue;
      this.companionFinish.delete(ref);
      waiter.reject(new ApiError(409, 'the device closed its connection during the code exchange'));
    }
  }

  private async onPayload(conn: Connection, payload: proto.ClientPayload): Promise<void> {
    if (payload.username !== null && payload.username !== undefined && Number(payload.username) > 0) {
      const number = String(payload.username);
      const deviceId = payload.device ?? 0;
      const dev = this.state.phone.devices.find((d) => d.device === deviceId);
      if (number !== this.state.phone.number || !dev || !conn.noise.clientStatic || !dev.noiseKey.equals(conn.noise.clientStatic)) {
        this.logger.info(`[sandbox] login refused for ${number}:${deviceId} (not a linked device)`);
        conn.end(node('failure', { reason: '401', location: 'sandbox' }));
        return;
      }
      for (const other of this.state.connections) {
        if (other !== conn && other.device?.device === deviceId && other.open) {
          other.end(node('stream:error', {}, [node('conflict', { type: 'replaced' })]));
        }
      }
      conn.kind = 'login';
      conn.device = dev;
      conn.loggedIn = true;
      this.logger.info(`[sandbox] device ${number}:${deviceId} logged in`);
      const t = nowSeconds();
      conn.send(node('success', {
        t, props: '1', abprops: '1', location: 'sandbox', creation: String(Math.floor(dev.linkedAt / 1000)),
        lid: `${this.state.phone.lid}:${deviceId}@lid`,
      }));
      // If the client never asks for the digest, release its buffered events anyway.
      this.state.later(5000, () => this.afterDigest(conn));
      return;
    }
    const pairing = payload.devicePairingData;
    if (!pairing?.eIdent || !pairing.eSkeyVal || !pairing.eSkeySig || !conn.noise.clientStatic) {
      conn.end(node('failure', { reason: '400', location: 'sandbox' }));
      return;
    }
    let platform = 'unknown';
    try {
      if (pairing.deviceProps) platform = proto.DeviceProps.decode(pairing.deviceProps).os ?? platform;
    } catch {
      /* keep unknown */
    }
    const refs = Array.from({ length: 6 }, () => randomRef());
    conn.kind = 'registration';
    conn.registration = {
      refs,
      linkCode: null,
      noiseKey: conn.noise.clientStatic,
      registrationId: beUint(Buffer.from(pairing.eRegid ?? [])),
      identityKey: Buffer.from(pairing.eIdent),
      signedPreKey: { keyId: beUint(Buffer.from(pairing.eSkeyId ?? [])), public: Buffer.from(pairing.eSkeyVal), signature: Buffer.from(pairing.eSkeySig) },
      platform,
    };
    // Refs are stored (above) before the frame leaves: Baileys acks and shows the QR in the same tick.
    conn.query(node('iq', { from: S_WHATSAPP_NET, type: 'set', xmlns: 'md', id: phoneMessageId().slice(0, 10) }, [
      node('pair-device', {}, refs.map((r) => node('ref', {}, Buffer.from(r)))),
    ]), 60_000).catch(() => undefined);
  }

  private async onNode(conn: Connection, n: BinaryNode): Promise<void> {
    switch (n.tag) {
      case 'iq':
        return handleIq({
          state: this.state,
          afterDigest: (c) => this.afterDigest(c),
          onLinkCodeIq: (c, iq, reg) => this.onLinkCodeIq(c, iq, reg),
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

  // ---------- pairing ----------

  async scan(qr: string): Promise<PhoneView> {
    let parsed;
    try {
      parsed = parseQr(qr);
    } catch (err) {
      throw new ApiError(422, (err as Error).message);
    }
    const conn = [...this.state.connections].find((c) => c.open && c.registration?.refs.includes(parsed.ref));
    if (!conn || !conn.registration) throw new ApiError(409, 'no client is showing this QR any more (expired, or already used)');
    const reg = conn.registration;
    if (!reg.noiseKey.equals(parsed.noiseKey) || !reg.identityKey.equals(parsed.identityKey)) {
      throw new ApiError(422, 'the QR’s keys do not match the client that asked for it');
    }
    conn.registration = { ...reg, refs: [], linkCode: null };
    return this.completePairing(conn, reg, parsed.advSecret);
  }

  /**
   * What QR and code linking share: the phone sends pair-success (the ADV identity HMAC'd with the secret both sides
   * now hold), verifies the companion's pair-device-sign, stores the device and asks for the 515 restart.
   */
  private async completePairing(conn: Connection, reg: Registration, advSecret: string): Promise<PhoneView> {
    const phone = this.state.phone;
    const deviceId = phone.nextDeviceId++;
    const keyIndex = phone.nextKeyIndex++;
    this.state.savePhone();
    const { hmacContainer, deviceDetails } = buildPairSuccessIdentity(phone, keyIndex, reg.identityKey, advSecret);
    const answer = await conn.query(node('iq', { from: S_WHATSAPP_NET, type: 'set', xmlns: 'md', id: phoneMessageId().slice(0, 10), t: nowSeconds() }, [
      node('pair-success', {}, [
        node('device-identity', {}, hmacContainer),
        node('platform', { name: 'android' }),
        node('device', { jid: `${phone.number}:${deviceId}@s.whatsapp.net`, lid: `${phone.lid}:${deviceId}@lid` }),
        node('biz', { name: phone.name }),
      ]),
    ]), 15_000).catch((err: unknown) => {
      throw new ApiError(409, `the client did not confirm the pairing: ${(err as Error).message}`);
    });
    const signed = bytes(child(child(answer, 'pair-device-sign'), 'device-identity'));
    if (!signed || !verifyPairDeviceSign(phone, signed, reg.identityKey, deviceDetails)) {
      conn.end(node('failure', { reason: '401', location: 'sandbox' }));
      throw new ApiError(409, 'the client’s pair-device-sign did not verify');
    }
    const linked: LinkedDevice = {
      device: deviceId,
      keyIndex,
      noiseKey: reg.noiseKey,
      identityKey: reg.identityKey,
      advSecret,
      registrationId: reg.registrationId,
      signedPreKey: reg.signedPreKey,
      preKeys: {},
      platform: reg.platform,
      linkedAt: Date.now(),
      historySent: false,
      pending: [],
    };
    phone.devices.push(linked);
    this.state.savePhone();
    this.logger.info(`[sandbox] phone linked device ${deviceId} (${reg.platform})`);
    conn.end(node('stream:error', { code: '515' }));
    return phoneView(this.state);
  }

  // ---------- linking with a pairing code ----------

  /** Waiters for `companion_finish`, by the `link_code_pairing_ref` of the notification that asked for it. */
  private readonly companionFinish = new Map<string, { conn: Connection; resolve: (iq: BinaryNode) => void; reject: (err: Error) => void }>();

  /** `<iq xmlns="md"><link_code_companion_reg stage=…>` from a registering client. */
  onLinkCodeIq(conn: Connection, iq: BinaryNode, reg: BinaryNode): void {
    const fail = (code: string, text: string) =>
      conn.send(node('iq', { from: S_WHATSAPP_NET, type: 'error', id: iq.attrs.id }, [node('error', { code, text })]));
    if (reg.attrs.stage === 'companion_finish') {
      const ref = bytes(child(reg, 'link_code_pairing_ref'))?.toString('utf8') ?? '';
      const waiter = this.companionFinish.get(ref);
      if (!waiter || waiter.conn !== conn) return fail('404', 'item-not-found');
      this.companionFinish.delete(ref);
      waiter.resolve(iq);
      return;
    }
    if (reg.attrs.stage !== 'companion_hello') return fail('400', 'bad-request');
    const wrapped = bytes(child(reg, 'link_code_pairing_wrapped_companion_ephemeral_pub'));
    const noiseKey = bytes(child(reg, 'companion_server_auth_key_pub'));
    const number = normalizeNumber(userOf(reg.attrs.jid ?? '')?.user ?? '');
    if (!conn.registration || wrapped?.length !== 80 || !noiseKey?.equals(conn.registration.noiseKey) || !number) {
      return fail('400', 'bad-request');
    }
    const ref = randomRef();
    // A new request replaces the previous one: Baileys made a new code for it.
    conn.registration.linkCode = { number, ref, wrappedEphemeral: wrapped, askedAt: Date.now(), busy: false };
    if (number !== this.state.phone.number) {
      this.logger.info(`[sandbox] a pairing code was asked for +${number}, which is not the virtual phone (+${this.state.phone.number})`);
    }
    conn.send(node('iq', { from: S_WHATSAPP_NET, type: 'result', id: iq.attrs.id }, [
      node('link_code_companion_reg', {}, [node('link_code_pairing_ref', {}, Buffer.from(ref))]),
    ]));
  }

  /** The phone types the code a companion shows: it finds the companion that asked for one and links it. */
  async enterPairingCode(input: string): Promise<PhoneView> {
    const code = normalizePairingCode(input);
    if (!isPairingCode(code)) throw new ApiError(422, 'a pairing code is 8 letters and digits, as in ABCD-EFGH');
    const waiting = (await this.linkCodeRequests())
      .sort((a, b) => b.registration!.linkCode!.askedAt - a.registration!.linkCode!.askedAt);
    const mine = waiting.filter((c) => c.registration!.linkCode!.number === this.state.phone.number);
    if (mine.length === 0) {
      const others = [...new Set(waiting.map((c) => `+${c.registration!.linkCode!.number}`))];
      throw new ApiError(409, others.length > 0
        ? `no device is waiting for a code for this phone (+${this.state.phone.number}); codes were asked for ${others.join(', ')}`
        : 'no device is waiting for a pairing code: ask for one first (a code lasts as long as the linking screen that showed it)');
    }
    const free = mine.filter((c) => !c.registration!.linkCode!.busy);
    if (free.length === 0) throw new ApiError(409, 'the phone is already trying a code with the device waiting for one');
    for (const conn of free) {
      if (!conn.open) continue;
      const advSecret = await this.tryPairingCode(conn, code);
      if (advSecret) return this.completePairing(conn, conn.registration!, advSecret);
    }
    throw new ApiError(404, 'no device waiting to be linked shows this code: check it, or ask for a new one');
  }

  /** Clients waiting for a code; if none yet, waits a moment: a code may be typed while its request is on the wire. */
  private async linkCodeRequests(graceMs = 1000): Promise<Connection[]> {
    const deadline = Date.now() + graceMs;
    for (;;) {
      const waiting = [...this.state.connections].filter((c) => c.open && c.registration?.linkCode);
      if (waiting.length > 0 || Date.now() >= deadline || this.state.closed) return waiting;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /**
   * One round with a companion: the phone's ephemeral key, wrapped with the typed code, goes out in the
   * `link_code_companion_reg` notification; the companion answers `companion_finish` with its key bundle, which opens
   * only if the code was its own. Returns the ADV secret, or null for another code (the companion gets an error).
   */
  private async tryPairingCode(conn: Connection, code: string): Promise<string | null> {
    const reg = conn.registration!;
    const request = reg.linkCode!;
    request.busy = true;
    try {
      const companionEphemeral = await unwrapEphemeral(code, request.wrappedEphemeral);
      const ephemeral = Curve.generateKeyPair() as KeyPair;
      const finished = new Promise<BinaryNode>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.companionFinish.delete(request.ref);
          reject(new ApiError(409, 'the device did not answer the code exchange (it may have closed)'));
        }, 15_000);
        const settle = () => clearTimeout(timer);
        this.companionFinish.set(request.ref, {
          conn,
          resolve: (n) => (settle(), resolve(n)),
          reject: (err) => (settle(), reject(err)),
        });
      });
      conn.send(node('notification', { from: S_WHATSAPP_NET, type: 'link_code_companion_reg', id: phoneMessageId().slice(0, 10), t: nowSeconds() }, [
        node('link_code_companion_reg', { stage: 'primary_hello' }, [
          node('link_code_pairing_wrapped_primary_ephemeral_pub', {}, await wrapEphemeral(code, ephemeral.public)),
          node('primary_identity_pub', {}, this.state.phone.accountKey.public),
          node('link_code_pairing_ref', {}, Buffer.from(request.ref)),
        ]),
      ]));
      const iq = await finished;
      const finish = child(iq, 'link_code_companion_reg');
      const answer = (error?: { code: string; text: string }) =>
        conn.send(node('iq', { from: S_WHATSAPP_NET, type: error ? 'error' : 'result', id: iq.attrs.id }, error ? [node('error', error)] : undefined));
      const bundle = openKeyBundle(ephemeral.private, companionEphemeral, bytes(child(finish, 'link_code_pairing_wrapped_key_bundle')) ?? Buffer.alloc(0));
      if (!bundle) {
        answer({ code: '401', text: 'not-authorized' });
        this.logger.info('[sandbox] the phone entered a code that is not the waiting device’s');
        return null;
      }
      const identity = bytes(child(finish, 'companion_identity_public'));
      if (!bundle.companionIdentity.equals(reg.identityKey) || !identity?.equals(reg.identityKey) || !bundle.primaryIdentity.equals(this.state.phone.accountKey.public)) {
        answer({ code: '400', text: 'bad-request' });
        throw new ApiError(409, 'the device’s key bundle does not match the keys it registered with');
      }
      answer();
      conn.registration = { ...reg, refs: [], linkCode: null };
      return deriveAdvSecret(bundle, this.state.phone.accountKey.private);
    } finally {
      request.busy = false;
    }
  }

  // ---------- after login ----------

  private offlineSent = new WeakSet<Connection>();

  /** Right after the digest: deliver what queued up while offline, then `<offline>`, then (first login) the history notice. */
  afterDigest(conn: Connection): void {
    if (this.offlineSent.has(conn) || !conn.open || !conn.loggedIn) return;
    this.offlineSent.add(conn);
    const d = this.state.liveDevice(conn);
    const pending = d ? d.pending.splice(0) : [];
    if (d && pending.length) this.state.savePhone();
    for (const stanza of pending) conn.send(stanza as BinaryNode);
    conn.send(node('ib', { from: S_WHATSAPP_NET }, [node('offline', { count: String(pending.length) })]));
    if (d && !d.historySent) {
      this.state.later(50, () => {
        this.sendHistoryNotice(conn, d).catch((err: unknown) => this.logger.warn({ err: String(err) }, '[sandbox] history notice failed'));
      });
    }
  }

  private async encryptFrom(device: SignalDevice, d: LinkedDevice, message: proto.IMessage): Promise<{ type: string; ciphertext: Buffer }> {
    const address = this.state.linkedAddress(d.device);
    if (!device.hasSession(address)) await device.initOutgoing(address, linkedBundle(this.state, d));
    return device.encrypt(address, Buffer.from(writeRandomPadMax16(proto.Message.encode(message).finish())));
  }

  private async sendHistoryNotice(conn: Connection, d: LinkedDevice): Promise<void> {
    if (!conn.open) return;
    const FULL = proto.HistorySync.HistorySyncType.FULL;
    const history = proto.HistorySync.encode({
      syncType: FULL,
      conversations: [],
      progress: 100,
      chunkOrder: 0,
      phoneNumberToLidMappings: [...this.state.contacts.values()]
        .filter((c) => c.onWhatsApp)
        .map((c) => ({ pnJid: `${c.number}@s.whatsapp.net`, lidJid: `${c.lid}@lid` })),
      pushnames: [...this.state.contacts.values()].map((c) => ({ id: `${c.number}@s.whatsapp.net`, pushname: c.name })),
    }).finish();
    const message: proto.IMessage = {
      protocolMessage: {
        type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
        historySyncNotification: {
          syncType: FULL as unknown as proto.Message.HistorySyncType,
          chunkOrder: 0,
          progress: 100,
          initialHistBootstrapInlinePayload: deflateSync(history),
        },
      },
    };
    const { type, ciphertext } = await this.encryptFrom(this.state.phoneDevice, d, message);
    conn.send(node('message', {
      from: this.state.phoneJid, to: `${this.state.phone.number}:${d.device}@s.whatsapp.net`, id: phoneMessageId(), type: 'text', category: 'peer', t: nowSeconds(),
    }, [node('enc', { v: '2', type }, ciphertext)]));
    d.historySent = true;
    this.state.savePhone();
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

  /** Sends a stanza to every linked device: now if it is connected, else at its next login. */
  private deliverToLinked(build: (d: LinkedDevice) => BinaryNode | Promise<BinaryNode>): Promise<void> {
    const work = this.state.phone.devices.map(async (d) => {
      const stanza = await build(d);
      const conn = [...this.state.connections].find((c) => c.device?.device === d.device && c.loggedIn && c.open);
      if (conn && this.offlineSent.has(conn)) conn.send(stanza);
      else {
        d.pending.push(stanza);
        this.state.savePhone();
      }
    });
    return Promise.all(work).then(() => undefined);
  }

  private deliverReceipt(c: ContactState, id: string, type: 'read' | undefined): void {
    const entry = this.state.store.inbox<InboxEntry>(c.number).find((r) => r.entry.message_id === id)?.entry;
    if (entry?.delivered && type === undefined) return; // already delivered (e.g. read came first)
    if (entry && !entry.delivered && type === 'read') this.deliverReceipt(c, id, undefined);
    this.updateInboxEntry(c, id, type === 'read' ? { read: true, delivered: true } : { delivered: true });
    void this.deliverToLinked(() => node('receipt', { from: `${c.number}@s.whatsapp.net`, id, t: nowSeconds(), type }));
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
    await this.deliverToLinked(async (d) => {
      // A phone that just sent a prekey message waits (briefly) for the device's receipt before the next one.
      const key = `${c.number}:${d.device}`;
      const waiting = this.awaitingReceipt.get(key);
      if (waiting) await Promise.race([waiting.done, new Promise((r) => setTimeout(r, 1500))]);
      const { type, ciphertext } = await this.encryptFrom(device, d, message);
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
