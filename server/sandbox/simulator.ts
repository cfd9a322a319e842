import { createServer, type IncomingMessage, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Logger } from '../logger.ts';
import { isLoopbackHost } from '../config.ts';
import { quietLibsignal } from '../whatsapp/libsignal-console.ts';
import { createSimulatedWhatsApp, type SandboxControls } from './simulated-whatsapp.ts';
import { loadMediaTls } from './media-tls.ts';
import { createSandboxStore } from './store.ts';
import type { ContactView, InboxEntry } from './virtual-contacts.ts';
import type { PhoneView } from './virtual-phone.ts';
import type { GroupView } from '../contract/sandbox.ts';
import { failure } from '../contract/envelope.ts';
import type { GroupInboxEntry } from './group-messages.ts';

export type { ContactView, GroupInboxEntry, GroupView, InboxEntry, PhoneView };

export interface SimulatorOptions {
  dataDir: string;
  /** Default 127.0.0.1; anything that is not loopback is refused. */
  host?: string;
  /** 0 = ephemeral. */
  port?: number;
  logger: Logger;
  /**
   * The HTTP answers beside the WebSocket, given the started simulator: WaGate's HTTP layer has the control API
   * (createStandaloneSandboxApp in server/http/routes/sandbox.ts). None: every HTTP request is a 404.
   */
  http?: (sim: Simulator) => RequestListener;
}

/** The simulator: the world's controls (its phone, contacts, groups, standing and faults) and where it listens. */
export interface Simulator extends SandboxControls {
  wsUrl: string;
  httpUrl: string;
  /**
   * WhatsApp's media servers played over HTTPS on loopback (`https://127.0.0.1:PORT`), and the root certificate (PEM)
   * its certificate chains to: a client trusts it for media only in simulator modes, as it trusts `rootPublicKey`.
   */
  mediaUrl: string;
  mediaRootCert: string;
  close(): Promise<void>;
}

/** Starts the WhatsApp simulator: WebSocket at /ws/chat, `options.http` beside it, state under <dataDir>/sandbox/. */
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
  let answer: RequestListener = (_req, res) => {
    res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify(failure(404, 'No such endpoint')));
  };
  const server = createServer((req, res) => answer(req, res));
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
    sendMediaFromContact: (number, input) => whatsapp.sendMediaFromContact(number, input),
    expireContactMedia: (number, id) => whatsapp.expireContactMedia(number, id),
    sendActionFromContact: (number, action) => whatsapp.sendActionFromContact(number, action),
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
  if (options.http) answer = options.http(sim);
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
