import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../server/config.ts';
import { startCore, type Core } from '../../server/core.ts';
import { silentLogger } from '../../server/logger.ts';

export interface Harness {
  core: Core;
  dataDir: string;
  key: string;
  /** fetch against the core, with the API key unless `auth: false`. */
  call(
    path: string,
    init?: RequestInit & { auth?: boolean | string },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

const FAST_TYPING = { chars_per_second: 200, min_ms: 50, max_ms: 400, jitter: 0.1, refresh_ms: 150 };

/** The real core in sandbox mode, on an ephemeral port, with a temp data dir and one API key. */
export async function startHarness(overrides: Partial<Config> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wagate-core-'));
  const config = () => ({ ...loadConfig({ dataDir, port: 0, sandbox: true }), typing: FAST_TYPING, ...overrides });
  let core = await startCore(config(), { logger: silentLogger() });
  const key = core.keys.create({ name: 'test', expiresAt: null }).key;
  const harness: Harness = {
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
    async restart() {
      await core.stop();
      core = await startCore(config(), { logger: silentLogger() });
    },
    async close() {
      await core.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

export function postJson(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}
