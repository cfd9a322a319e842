import type { ContactAction } from '../contract/sandbox-contact-actions.ts';
import type { WebSocket } from 'ws';
import { Curve, type proto } from '@whiskeysockets/baileys';
import type { Logger } from '../logger.ts';
import { createAccountStanding } from './account-standing.ts';
import { Connection } from './connection.ts';
import { createContactInbox } from './contact-inbox.ts';
import { addContact, contactViews, inboxOf } from './contact-book.ts';
import { createDelivery } from './delivery.ts';
import { createFaults } from './faults.ts';
import { createRetryRequests } from './retry-requests.ts';
import { createGroups } from './groups.ts';
import { createGroupMessages } from './group-messages.ts';
import { createStreamHealth } from './stream-health.ts';
import { type BinaryNode, node } from './frames.ts';
import { answerPresenceSubscribe, createInbound } from './inbound.ts';
import { handleIq } from './iq-handlers.ts';
import { phoneView, unlink } from './linked-devices.ts';
import { createLogin } from './login.ts';
import { createMediaServers, type MediaServers } from './media-servers.ts';
import { buildCertChain, type KeyPair, type ServerIdentity } from './noise-server.ts';
import { createPairingCode } from './pairing-code.ts';
import { register, scan } from './pairing.ts';
import { createReceipts } from './receipts.ts';
import { createSandboxState } from './sandbox-state.ts';
import type { FaultInput } from './faults.ts';
import type { CappingInput, StandingView, TimelockInput } from './account-standing.ts';
import type { RejectionCode } from '../contract/sandbox.ts';
import type { ContactInput, ContactView, InboxEntry } from './virtual-contacts.ts';
import type { PhoneView } from './virtual-phone.ts';
import type { ContactMediaInput, GroupView } from '../contract/sandbox.ts';
import type { GroupInboxEntry } from './group-messages.ts';
import type { SandboxStore } from './store.ts';
import { SEED_CONTACTS } from './virtual-contacts.ts';

/** What a test, the CLI or the control API can do to the simulated world: its phone, contacts, groups, standing and faults. */
export interface SandboxControls {
  rootPublicKey: string;
  phone(): PhoneView;
  scan(qr: string): Promise<PhoneView>;
  /** The phone types the pairing code a client shows ("Link with phone number instead") and links that client. */
  enterPairingCode(code: string): Promise<PhoneView>;
  unlink(): Promise<void>;
  contacts(): ContactView[];
  addContact(input: ContactInput): ContactView;
  inbox(number: string): InboxEntry[];
  sendFromContact(
    number: string,
    input: { text: string; reply_to_message_id?: string },
  ): Promise<{ message_id: string }>;
  /** A contact sends WaGate a media file (encrypted and uploaded to the media servers as its phone would). */
  sendMediaFromContact(number: string, input: ContactMediaInput): Promise<{ message_id: string }>;
  /** The media servers forget the file of a contact's media message, as WhatsApp does with old media. */
  expireContactMedia(number: string, messageId: string): void;
  /** A contact sends a location, contact card, poll, poll vote, reaction, edit or delete to WaGate. */
  sendActionFromContact(number: string, action: ContactAction): Promise<{ message_id: string }>;
  sendReceipt(number: string, input: { message_id: string; type: 'delivered' | 'read' }): Promise<void>;
  /** The contact's status as a top-level `<status>` the client must ack (else its stream is recycled). */
  sendStatus(number: string, input: { text: string; ack_within_ms?: number }): { status_id: string; sent_to: number };
  /** The sandbox's groups, the phone's and others. */
  groups(): GroupView[];
  /** What a group's members got from WaGate, with who received, delivered and read each message. */
  groupInbox(groupJid: string): GroupInboxEntry[];
  /** A member writes to the group. */
  sendFromGroupMember(groupJid: string, input: { from: string; text: string }): Promise<{ message_id: string }>;
  /** A member's receipt for a message WaGate sent to the group. */
  sendGroupReceipt(
    groupJid: string,
    input: { from: string; message_id: string; type: 'delivered' | 'read' },
  ): Promise<void>;
  /** Someone joins or leaves (is added or removed by an admin); the phone itself too. */
  changeGroupMembers(groupJid: string, input: { action: 'add' | 'remove'; number: string }): Promise<GroupView>;
  /** True once every connection the status went to has acknowledged it. */
  statusAcknowledged(statusId: string): boolean;
  /** The contact's phone asks for a message again (a retry receipt). */
  askRetry(number: string, input: { message_id: string }): Promise<void>;
  fault(input: FaultInput): void;
  /** The account's standing with the server: its reach-out time lock, its new-chat cap, the numbers it refuses. */
  standing(): StandingView;
  /** Every message to `number` is refused with `code` on its ack (WhatsApp's 463 or 479); null accepts them again. */
  rejectMessages(number: string, code: RejectionCode | null): StandingView;
  setReachoutTimelock(input: TimelockInput): StandingView;
  setMessageCapping(input: CappingInput): StandingView;
}

/** The simulated WhatsApp server with its virtual phone and contacts: the controls without the HTTP/WebSocket plumbing. */
export interface SimulatedWhatsApp extends SandboxControls {
  /** True while a `refuse` fault keeps new connections out. */
  readonly refusing: boolean;
  /** Takes a client WebSocket from the upgrade. */
  accept(ws: WebSocket): void;
  /** WhatsApp's media servers: what the simulator's HTTPS endpoint serves. */
  readonly mediaServers: MediaServers;
  close(): void;
}

interface ServerKeys {
  root: KeyPair;
  intermediate: KeyPair;
  static: KeyPair;
}

/** Made once and kept, so clients that trust the root keep trusting it after a restart. */
function loadServerKeys(store: SandboxStore): ServerKeys {
  let keys = store.get<ServerKeys>('server-keys');
  if (!keys) {
    keys = {
      root: Curve.generateKeyPair() as KeyPair,
      intermediate: Curve.generateKeyPair() as KeyPair,
      static: Curve.generateKeyPair() as KeyPair,
    };
    store.set('server-keys', keys);
  }
  return keys;
}

/** Builds the parts over one shared state (kept in the store, so a restart resumes) and routes client frames to them. */
export function createSimulatedWhatsApp(store: SandboxStore, dataDir: string, logger: Logger): SimulatedWhatsApp {
  const keys = loadServerKeys(store);
  const identity: ServerIdentity = {
    staticKey: keys.static,
    certChain: buildCertChain(keys.root, keys.intermediate, keys.static),
  };
  const state = createSandboxState(store, logger);
  if (state.contacts.size === 0) for (const seed of SEED_CONTACTS) addContact(state, seed);

  const delivery = createDelivery(state);
  const login = createLogin(state, delivery);
  const pairingCode = createPairingCode(state);
  const receipts = createReceipts(state, delivery);
  const stream = createStreamHealth(state);
  const faults = createFaults(state, stream);
  const retries = createRetryRequests(state, delivery);
  const groups = createGroups(state, delivery);
  const groupMessages = createGroupMessages(state, groups, delivery);
  const standing = createAccountStanding(state, delivery);
  const mediaServers = createMediaServers(state, dataDir);
  const contactInbox = createContactInbox(state, receipts, faults, standing, mediaServers);
  const inbound = createInbound(state, delivery, mediaServers);

  const onPayload = (conn: Connection, payload: proto.ClientPayload) => {
    const loggingIn = payload.username !== null && payload.username !== undefined && Number(payload.username) > 0;
    if (loggingIn) login.login(conn, payload);
    else register(conn, payload);
  };

  const onNode = async (conn: Connection, n: BinaryNode): Promise<void> => {
    switch (n.tag) {
      case 'iq':
        return handleIq(
          {
            state,
            afterDigest: login.afterDigest,
            onGroupIq: groups.onIq,
            onLinkCodeIq: pairingCode.onLinkCodeIq,
            answerMexQuery: standing.answerMexQuery,
            answerMediaConn: mediaServers.answerMediaConn,
          },
          conn,
          n,
        );
      case 'message':
        if (n.attrs.to?.endsWith('@g.us')) return groupMessages.onMessage(conn, n);
        return contactInbox.onMessage(conn, n);
      case 'receipt':
        conn.send(node('ack', { class: 'receipt', id: n.attrs.id, from: n.attrs.to, type: n.attrs.type }));
        inbound.onReceipt(conn, n);
        return;
      case 'presence':
        if (n.attrs.type === 'subscribe') return answerPresenceSubscribe(state, conn, n);
        return contactInbox.onPresence(n);
      case 'chatstate':
        return contactInbox.onChatstate(n);
      case 'ack':
        if (n.attrs.class === 'status') stream.onStatusAck(conn, n);
        return;
      case 'ib':
        return;
      default:
        logger.info(`ignoring <${n.tag}> from client`);
    }
  };

  const onClose = (conn: Connection) => {
    state.connections.delete(conn);
    pairingCode.forget(conn);
  };

  return {
    rootPublicKey: keys.root.public.toString('base64'),
    mediaServers,
    get refusing() {
      return faults.refusing;
    },
    accept(ws) {
      state.connections.add(new Connection(ws, identity, { onPayload, onNode, onClose }, logger));
    },
    phone: () => phoneView(state),
    scan: (qr) => scan(state, qr),
    enterPairingCode: (code) => pairingCode.enterPairingCode(code),
    unlink: () => unlink(state),
    contacts: () => contactViews(state),
    addContact: (input) => addContact(state, input),
    inbox: (number) => inboxOf(state, number),
    sendFromContact: (number, input) => inbound.sendFromContact(number, input),
    sendMediaFromContact: (number, input) => inbound.sendMediaFromContact(number, input),
    expireContactMedia: (number, id) => inbound.expireContactMedia(number, id),
    sendActionFromContact: (number, action) => inbound.sendActionFromContact(number, action),
    sendReceipt: (number, input) => receipts.send(number, input),
    sendStatus: (number, input) => stream.sendStatus(number, input),
    statusAcknowledged: (id) => stream.statusAcknowledged(id),
    askRetry: (number, input) => retries.ask(number, input),
    groups: () => groups.views(),
    groupInbox: (jid) => groupMessages.inbox(jid),
    sendFromGroupMember: (jid, input) => groupMessages.sendFromMember(jid, input),
    sendGroupReceipt: (jid, input) => groupMessages.sendReceipt(jid, input),
    changeGroupMembers: (jid, input) => groups.changeMembers(jid, input),
    fault: (input) => faults.inject(input),
    standing: () => standing.view(),
    rejectMessages: (number, code) => standing.rejectMessages(number, code),
    setReachoutTimelock: (input) => standing.setReachoutTimelock(input),
    setMessageCapping: (input) => standing.setMessageCapping(input),
    close: () => state.close(),
  };
}
