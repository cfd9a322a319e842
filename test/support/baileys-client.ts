import makeWASocket, {
  Browsers,
  initAuthCreds,
  type AuthenticationCreds,
  type SignalDataTypeMap,
  type SignalKeyStore,
  type WASocket,
} from '@whiskeysockets/baileys';
import { Agent } from 'node:https';
import pino from 'pino';

/** libsignal prints whole session objects through console.info/warn on every re-key (pitfall 3): keep tests readable. */
const LIBSIGNAL_NOISE =
  /^(Closing session|Opening session|Removing old closed session|Migrating session|Session already|Closing open session|Decrypted message with closed session)/;
let silenced = false;
export function silenceLibsignal(): void {
  if (silenced) return;
  silenced = true;
  for (const level of ['info', 'warn'] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && LIBSIGNAL_NOISE.test(args[0])) return;
      original(...args);
    };
  }
}

/**
 * Baileys leaves a 60 s query timer behind for every IQ it tried to send on a socket that had just closed (its
 * waitForMessage listens for 'close', but end() removes the 'close' listeners first), plus a 30 s pre-key upload race
 * timer. They do nothing, but they keep a test file's process alive for a minute after its last test. Long timers are
 * unref'd here (tests' own waits are shorter and stay ref'd).
 */
let unrefd = false;
export function unrefLongTimers(thresholdMs = 20_000): void {
  if (unrefd) return;
  unrefd = true;
  const original = globalThis.setTimeout;
  const patched = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const t = original(fn, ms, ...args);
    if ((ms ?? 0) >= thresholdMs) t.unref();
    return t;
  }) as unknown as typeof setTimeout;
  globalThis.setTimeout = Object.assign(patched, original);
}

/** An in-memory auth state: Baileys' initAuthCreds plus a Map-backed key store. */
export function memoryAuthState(): { creds: AuthenticationCreds; keys: SignalKeyStore } {
  const creds = initAuthCreds();
  const data = new Map<string, unknown>();
  const keys: SignalKeyStore = {
    get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
      const out: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids) {
        const v = data.get(`${type}:${id}`);
        if (v !== undefined) out[id] = v as SignalDataTypeMap[T];
      }
      return out;
    },
    set: async (update) => {
      for (const [type, entries] of Object.entries(update)) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          if (value === null || value === undefined) data.delete(`${type}:${id}`);
          else data.set(`${type}:${id}`, value);
        }
      }
    },
  };
  return { creds, keys };
}

export interface RecordedEvent {
  seq: number;
  name: string;
  data: any;
}

/**
 * A raw Baileys client for the simulator tests: connects, reconnects by itself on 515 (restart required), records every
 * event, and lets a test wait for one with a timeout.
 */
export class BaileysTestClient {
  readonly auth = memoryAuthState();
  readonly events: RecordedEvent[] = [];
  sock: WASocket | null = null;
  private seq = 0;
  private listeners = new Set<() => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  url: string;
  private stopped = false;
  /** Trusts the simulator's media root for uploads, as WaGate does in simulator modes. */
  private readonly fetchAgent: Agent | undefined;

  constructor(url: string, options: { mediaRootCert?: string } = {}) {
    this.url = url;
    this.fetchAgent = options.mediaRootCert ? new Agent({ ca: options.mediaRootCert }) : undefined;
    silenceLibsignal();
    unrefLongTimers();
  }

  /** The sequence number of the next event: pass it to waitFor to see only what happens after now. */
  mark(): number {
    return this.seq;
  }

  connect(): WASocket {
    this.stopped = false;
    const sock = makeWASocket({
      waWebSocketUrl: this.url,
      auth: this.auth,
      logger: pino({ level: process.env.BAILEYS_LOG ?? 'silent' }) as any,
      browser: Browsers.ubuntu('Chrome'),
      markOnlineOnConnect: false,
      shouldSyncHistoryMessage: () => false,
      syncFullHistory: false,
      fireInitQueries: true,
      generateHighQualityLinkPreview: false,
      connectTimeoutMs: 15_000,
      keepAliveIntervalMs: 30_000,
      retryRequestDelayMs: 100,
      ...(this.fetchAgent ? { fetchAgent: this.fetchAgent } : {}),
    });
    this.sock = sock;
    sock.ev.process(async (batch) => {
      for (const [name, data] of Object.entries(batch)) this.record(name, data);
      const update = batch['connection.update'];
      if (update?.connection === 'close' && this.sock === sock && !this.stopped) {
        const code = (update.lastDisconnect?.error as any)?.output?.statusCode;
        if (code === 515) this.connect();
      }
    });
    return sock;
  }

  private record(name: string, data: unknown): void {
    this.events.push({ seq: this.seq++, name, data });
    for (const l of [...this.listeners]) l();
  }

  /** Resolves with the first event `name` (at or after `since`) that matches; rejects after timeoutMs. */
  waitFor<T = any>(
    name: string,
    match: (data: any) => boolean = () => true,
    options: { since?: number; timeoutMs?: number } = {},
  ): Promise<T> {
    const since = options.since ?? 0;
    const timeoutMs = options.timeoutMs ?? 15_000;
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.events.find((e) => e.seq >= since && e.name === name && match(e.data));
        if (hit) {
          this.listeners.delete(check);
          clearTimeout(timer);
          this.timers.delete(timer);
          resolve(hit.data as T);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        this.timers.delete(timer);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${name}`));
      }, timeoutMs);
      this.timers.add(timer);
      if (!check()) this.listeners.add(check);
    });
  }

  waitForQr(since = 0, timeoutMs = 15_000): Promise<string> {
    return this.waitFor<{ qr: string }>('connection.update', (u) => typeof u.qr === 'string', {
      since,
      timeoutMs,
    }).then((u) => u.qr);
  }

  waitForOpen(since = 0, timeoutMs = 20_000): Promise<void> {
    return this.waitFor('connection.update', (u) => u.connection === 'open', { since, timeoutMs }).then(
      () => undefined,
    );
  }

  /** The status code of the next close (after `since`). */
  waitForClose(since = 0, timeoutMs = 15_000): Promise<number | undefined> {
    return this.waitFor(
      'connection.update',
      (u) => u.connection === 'close' && (u.lastDisconnect?.error as any)?.output?.statusCode !== 515,
      { since, timeoutMs },
    ).then((u) => (u.lastDisconnect?.error as any)?.output?.statusCode);
  }

  /** Closes the socket and drops any wait still pending (e.g. the loser of a Promise.race). */
  async end(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.listeners.clear();
    const sock = this.sock;
    this.sock = null;
    if (!sock) return;
    // Once the WebSocket has closed, the simulator has seen the device go; a socket that never opened may say nothing.
    const closed = sock.ws.isClosed
      ? Promise.resolve()
      : new Promise<void>((r) => {
          sock.ws.once('close', () => r());
          setTimeout(r, 5000).unref();
        });
    try {
      sock.end(undefined);
    } catch {
      /* already closed */
    }
    await closed;
  }
}
