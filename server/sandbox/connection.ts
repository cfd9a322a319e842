import type { WebSocket } from 'ws';
import type { proto } from '@whiskeysockets/baileys';
import { decodeBinaryNode, encodeBinaryNode } from '@whiskeysockets/baileys';
import type { Logger } from '../logger.ts';
import { NoiseServer, type ServerIdentity } from './noise-server.ts';
import { type BinaryNode, describe, serverId } from './frames.ts';
import type { LinkedDevice } from './virtual-phone.ts';

export interface ConnectionHandlers {
  onPayload(conn: Connection, payload: proto.ClientPayload): Promise<void> | void;
  onNode(conn: Connection, node: BinaryNode): Promise<void> | void;
  onClose(conn: Connection): void;
}

/** A registering client's request to link by code (`companion_hello`), waiting for the phone to enter the code. */
export interface LinkCodeRequest {
  /** The phone number it asked for, digits only. */
  number: string;
  /** Our `link_code_pairing_ref` for it. */
  ref: string;
  /** `link_code_pairing_wrapped_companion_ephemeral_pub`: salt, iv, and the key under the code. */
  wrappedEphemeral: Buffer;
  askedAt: number;
  /** True while the phone is trying a code with it. */
  busy: boolean;
}

/** Registration state of a not-yet-linked client: the refs it was given and what it registered with. */
export interface Registration {
  refs: string[];
  linkCode: LinkCodeRequest | null;
  noiseKey: Buffer;
  registrationId: number;
  identityKey: Buffer;
  signedPreKey: { keyId: number; public: Buffer; signature: Buffer };
  platform: string;
}

let nextConnId = 1;

/** One WebSocket from a client: Noise handshake, then binary nodes in and out, in order. */
export class Connection {
  readonly id = nextConnId++;
  readonly ws: WebSocket;
  readonly noise: NoiseServer;
  private stage: 'hello' | 'finish' | 'open' | 'closed' = 'hello';
  private chain: Promise<void> = Promise.resolve();
  private readonly waiters = new Map<string, { resolve: (n: BinaryNode) => void; reject: (err: Error) => void }>();
  private readonly handlers: ConnectionHandlers;
  private readonly logger: Logger;
  kind: 'registration' | 'login' | null = null;
  registration: Registration | null = null;
  device: LinkedDevice | null = null;
  /** True once the client is logged in and past `success`. */
  loggedIn = false;
  /** Half-open: the server neither reads nor writes any more, and does not close either (a `silent` fault). */
  muted = false;
  /** Keep-alive pings go unanswered (an `ignore_pings` fault). */
  ignoresPings = false;

  constructor(ws: WebSocket, identity: ServerIdentity, handlers: ConnectionHandlers, logger: Logger) {
    this.ws = ws;
    this.noise = new NoiseServer(identity);
    this.handlers = handlers;
    this.logger = logger;
    ws.on('message', (data: Buffer) => {
      this.chain = this.chain
        .then(() => this.onData(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer)))
        .catch((err: unknown) => {
          this.logger.warn({ err: String(err) }, 'connection error, closing');
          this.close();
        });
    });
    ws.on('close', () => {
      this.stage = 'closed';
      // A server IQ to a client that is gone will not be answered: its waiter need not sit out the timeout.
      for (const waiter of this.waiters.values()) waiter.reject(new Error('the client closed the connection'));
      this.waiters.clear();
      this.handlers.onClose(this);
    });
    ws.on('error', () => undefined);
  }

  get open(): boolean {
    return this.stage === 'open' && this.ws.readyState === this.ws.OPEN;
  }

  private async onData(data: Buffer): Promise<void> {
    for (const frame of this.noise.frames(data)) {
      if (this.stage === 'hello') {
        this.ws.send(this.noise.frame(this.noise.onClientHello(frame)));
        this.stage = 'finish';
      } else if (this.stage === 'finish') {
        const payload = this.noise.onClientFinish(frame);
        this.stage = 'open';
        await this.handlers.onPayload(this, payload);
      } else if (this.stage === 'open') {
        if (this.muted) continue;
        const plain = this.noise.decryptTransport(frame);
        const n = (await decodeBinaryNode(plain)) as BinaryNode;
        this.logger.debug(`C→S ${describe(n)}`);
        const id = n.attrs.id;
        if (id && n.tag === 'iq' && (n.attrs.type === 'result' || n.attrs.type === 'error') && this.waiters.has(id)) {
          const waiter = this.waiters.get(id)!;
          this.waiters.delete(id);
          waiter.resolve(n);
          continue;
        }
        try {
          await this.handlers.onNode(this, n);
        } catch (err) {
          // One stanza the simulator cannot handle must not take the connection down.
          this.logger.warn({ err: String(err) }, `failed to handle ${describe(n).slice(0, 200)}`);
        }
      }
    }
  }

  send(n: BinaryNode): void {
    if (this.stage !== 'open' || this.ws.readyState !== this.ws.OPEN || this.muted) return;
    this.logger.debug(`S→C ${describe(n)}`);
    this.ws.send(this.noise.encryptTransport(encodeBinaryNode(n)));
  }

  /** Sends a server-originated IQ; the id is registered before the frame leaves (pitfall 1: the client acks at once). */
  query(n: BinaryNode, timeoutMs = 20_000): Promise<BinaryNode> {
    const id = n.attrs.id ?? serverId();
    n.attrs.id = id;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new Error(`no answer to iq ${id}`));
      }, timeoutMs);
      this.waiters.set(id, {
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      this.send(n);
    });
  }

  /** Sends a last node (stream:error, failure) and closes. */
  end(last?: BinaryNode): void {
    if (last) this.send(last);
    setTimeout(() => this.close(), 20);
  }

  close(): void {
    if (this.ws.readyState === this.ws.CLOSED) return;
    try {
      this.ws.close();
    } catch {
      this.ws.terminate();
    }
  }

  terminate(): void {
    this.ws.terminate();
  }
}
