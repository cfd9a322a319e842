import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../server/config.ts';
import { startCore, type Core } from '../../server/core.ts';
import { silentLogger, type Logger } from '../../server/logger.ts';
import { atEnd, type Scope } from './scope.ts';
import { eventually, waitForState } from './waits.ts';
import { DEFAULT_PACING } from '../../server/contract/pacing.ts';
import type { Clock } from '../../server/clock.ts';
import type { FileSync } from '../../server/store/group-commit.ts';

/** The real core, as a test drives it: over HTTP with an API key, or through its parts. */
export interface TestCore {
  core: Core;
  dataDir: string;
  key: string;
  /** fetch against the core, with the API key unless `auth: false` (or another key as a string). */
  call(
    path: string,
    init?: RequestInit & { auth?: boolean | string },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** Stops the core and starts a new one on the same data dir, as a process restart would; `meanwhile` runs between. */
  restart(meanwhile?: () => void): Promise<void>;
}

export interface CoreOptions {
  config?: Partial<Config>;
  logger?: Logger;
  /** For scheduled sends and the synchronous wait (test/support/fake-clock.ts); the system's by default. */
  clock?: Clock;
  /** The store's fsyncs (test/support/held-disk.ts); real ones by default. */
  fileSync?: FileSync;
  /** Seals the WhatsApp credentials at rest, as the desktop app's key does; none by default (plaintext). */
  credentialKey?: Buffer;
}

/** Pacing off: most tests send faster than a person should; the pacing tests turn it on. */
export const PACING_OFF = { ...DEFAULT_PACING, enabled: false };

/** Typing fast enough for tests; the documented defaults are asserted in test/whatsapp/typing.test.ts. */
export const FAST_TYPING = { chars_per_second: 200, min_ms: 50, max_ms: 400, jitter: 0.1, refresh_ms: 150 };

/**
 * The real core in sandbox mode on an ephemeral port, with its own data dir and one API key; stopped and its folder
 * removed when `scope` ends (fastify/demo's `build(t)`).
 */
export async function startSandboxCore(scope: Scope, options: CoreOptions = {}): Promise<TestCore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wagate-core-'));
  const logger = options.logger ?? silentLogger();
  const config = () => ({
    ...loadConfig({ dataDir, port: 0, sandbox: true }),
    typing: FAST_TYPING,
    pacing: PACING_OFF,
    ...options.config,
  });
  const start = () =>
    startCore(config(), {
      logger,
      clock: options.clock,
      fileSync: options.fileSync,
      credentialKey: options.credentialKey,
    });
  let core = await start();
  // One cleanup, in order: the core stops (flushing its files) before its folder goes.
  atEnd(scope, async () => {
    await core.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const key = core.keys.create({ name: 'test', expiresAt: null }).key;
  return {
    get core() {
      return core;
    },
    dataDir,
    key,
    async call(path, init = {}) {
      const { auth = true, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (auth !== false && !headers.has('authorization'))
        headers.set('authorization', typeof auth === 'string' ? auth : key);
      const res = await fetch(`${core.url}${path}`, { ...rest, headers });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: the body stays the text
      }
      return { status: res.status, body, headers: res.headers };
    },
    async restart(meanwhile) {
      await core.stop();
      meanwhile?.();
      core = await start();
    },
  };
}

/** A sandbox core already linked to the virtual phone, paired as a user of the API would. */
export async function startPairedCore(scope: Scope, options: CoreOptions = {}): Promise<TestCore> {
  const h = await startSandboxCore(scope, options);
  await pairThroughApi(h);
  return h;
}

/** Pairs exactly as a user of the API would: read the QR from GET /session/qr, let the virtual phone scan it. */
export async function pairThroughApi(h: TestCore): Promise<void> {
  await waitForState(h.core, 'qr');
  const qr = await h.call('/session/qr?format=json');
  if (qr.status !== 200) throw new Error(`GET /session/qr answered ${qr.status}: ${JSON.stringify(qr.body)}`);
  const scan = await h.call('/sandbox/phone/scan', postJson({ qr: qr.body.data.qr }));
  if (scan.status !== 200) throw new Error(`scan answered ${scan.status}: ${JSON.stringify(scan.body)}`);
  await waitForState(h.core, 'connected');
}

/**
 * Sends the contact a plain message (no presence, no typing) and waits until it has it, so the next message's
 * `before` holds that send's frames alone: a contact's frames are those since the previous message to it, and their
 * times are whole seconds, too coarse to tell one send's frames from the one before's.
 */
export async function framesAfresh(h: TestCore, number: string): Promise<void> {
  const plain = { text: 'before the next send', typing_simulation: false, presence_simulation: false };
  const res = await h.call(`/chats/${number}/messages`, postJson(plain));
  if (res.status !== 200) throw new Error(`the plain send answered ${res.status}: ${JSON.stringify(res.body)}`);
  const id = res.body.data.message_id;
  await eventually(() => h.core.sandbox!.inbox(number).some((m) => m.message_id === id), 'the plain message');
}

export function postJson(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}
