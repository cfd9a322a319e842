import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { WebSocketServer } from 'ws';
import type { Logger } from '../logger.ts';
import { isLoopbackHost } from '../config.ts';
import { hostCheck } from '../http/middleware/host-check.ts';
import { quietLibsignal } from '../whatsapp/libsignal-console.ts';
import { createControlRouter } from './control-router.ts';
import { createSimulatedWhatsApp } from './simulated-whatsapp.ts';
import type { FaultInput } from './faults.ts';
import { loadMediaTls } from './media-tls.ts';
import { createSandboxStore } from './store.ts';
import type { CappingInput, RejectionCode, StandingView, TimelockInput } from './account-standing.ts';
import type { ContactInput, ContactView, InboxEntry } from './virtual-contacts.ts';
import type { PhoneView } from './virtual-phone.ts';
import type { GroupView } from '../contract/sandbox.ts';
import type { GroupInboxEntry } from './group-messages.ts';

export type { ContactView, GroupInboxEntry, GroupView, InboxEntry, PhoneView };

export interface SimulatorOptions {
  dataDir: string;
  /** Default 127.0.0.1; anything that is not loopback is refused. */
  host?: string;
  /** 0 = ephemeral. */
  port?: number;
  logger: Logger;
}

export interface Simulator {
  wsUrl: string;
  httpUrl: string;
  rootPublicKey: string;
  /**
   * WhatsApp's media servers played over HTTPS on loopback (`https://127.0.0.1:PORT`), and the root certificate (PEM)
   * its certificate chains to: a client trusts it for media only in simulator modes, as it trusts `rootPublicKey`.
   */
  mediaUrl: string;
  mediaRootCert: string;
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
  controlRouter(options?: { currentQr?: () => string | null }): express.Router;
  close(): Promise<void>;
}

/** Starts the WhatsApp simulator: WebSocket at /ws/chat, control API at /sandbox, state under <dataDir>/sandbox/. */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new Error(`the sandbox only listens on loopback, not ${host}`);
  const logger = options.logger;
  // The virtual devices use libsignal too, which prints whole session records (keys included) on every re-key.
  quietLibsignal(logger);
  const store = createSandboxStore(options.dataDir);
  const whatsapp = createSimulatedWhatsApp(store, options.dataDir, logger);
  const tls = loadMediaTls(store);
  const mediaServer = createHttpsServer({ cert: tls.cert, key: tls.key }, (req, res) =>
    whatsapp.mediaServers.handle(req, res),
  );

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const app = express();
  const server = createServer(app);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/ws/chat') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    if (whatsapp.refusing) {
      // Reset the TCP connection: the client sees a network error, as when WhatsApp is unreachable. (An HTTP error
      // answer would leave Baileys waiting: it swallows ws' 'unexpected-response'.)
      logger.info('refusing a connection (fault)');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => whatsapp.accept(ws));
  });

  const port = await listen(server, options.port ?? 0, host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const mediaHost = `${urlHost}:${await listen(mediaServer, 0, host)}`;
  whatsapp.mediaServers.setHost(mediaHost);
  let closed = false;

  const sim: Simulator = {
    wsUrl: `ws://${urlHost}:${port}/ws/chat`,
    httpUrl: `http://${urlHost}:${port}`,
    rootPublicKey: whatsapp.rootPublicKey,
    mediaUrl: `https://${mediaHost}`,
    mediaRootCert: tls.rootCert,
    phone: () => whatsapp.phone(),
    scan: (qr) => whatsapp.scan(qr),
    enterPairingCode: (code) => whatsapp.enterPairingCode(code),
    unlink: () => whatsapp.unlink(),
    contacts: () => whatsapp.contacts(),
    addContact: (input) => whatsapp.addContact(input),
    inbox: (number) => whatsapp.inbox(number),
    sendFromContact: (number, input) => whatsapp.sendFromContact(number, input),
    sendReceipt: (number, input) => whatsapp.sendReceipt(number, input),
    sendStatus: (number, input) => whatsapp.sendStatus(number, input),
    askRetry: (number, input) => whatsapp.askRetry(number, input),
    groups: () => whatsapp.groups(),
    groupInbox: (jid) => whatsapp.groupInbox(jid),
    sendFromGroupMember: (jid, input) => whatsapp.sendFromGroupMember(jid, input),
    sendGroupReceipt: (jid, input) => whatsapp.sendGroupReceipt(jid, input),
    changeGroupMembers: (jid, input) => whatsapp.changeGroupMembers(jid, input),
    statusAcknowledged: (id) => whatsapp.statusAcknowledged(id),
    fault: (input) => whatsapp.fault(input),
    standing: () => whatsapp.standing(),
    rejectMessages: (number, code) => whatsapp.rejectMessages(number, code),
    setReachoutTimelock: (input) => whatsapp.setReachoutTimelock(input),
    setMessageCapping: (input) => whatsapp.setMessageCapping(input),
    controlRouter: (routerOptions) => createControlRouter(sim, logger, routerOptions),
    close: async () => {
      if (closed) return;
      closed = true;
      whatsapp.close();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      mediaServer.closeAllConnections();
      await Promise.all([closeServer(server), closeServer(mediaServer)]);
      store.close();
    },
  };
  // The standalone control API has no key: the Host check keeps web pages (DNS rebinding) out of it.
  app.use(
    '/sandbox',
    hostCheck({ names: new Set(['127.0.0.1', 'localhost', '[::1]', host]), allowIpLiterals: false }),
    sim.controlRouter(),
  );
  logger.info(`WhatsApp simulator on ${sim.wsUrl} (root key ${sim.rootPublicKey})`);
  return sim;
}

function listen(server: HttpServer | HttpsServer, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: HttpServer | HttpsServer): Promise<void> {
  return new Promise<void>((resolve) => server.close(() => resolve()));
}
