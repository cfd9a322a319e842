import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../server/config.ts';
import { startCore } from '../server/core.ts';
import { silentLogger } from '../server/logger.ts';
import { startExternalSimulator } from './external-simulator.ts';
import { ALICE } from '../test/support/contacts.ts';
import { eventually } from '../test/support/waits.ts';

const CLIENTS = 50;
const SENDS = 3_000;
const PROBE_EVERY_MS = 50;
const PROBES = 60;

export interface NewConnectionFigures {
  /** First-request times of new connections while the clients sent, ms, sorted. */
  probesMs: number[];
  /** The server's event-loop delay during the load, ms. */
  loopP99Ms: number;
  loopMaxMs: number;
  sendsPerSecond: number;
}

/** Runs `node <script> ...args` and parses what it prints as JSON. */
async function runChild<T>(script: string, args: string[]): Promise<T> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  return JSON.parse(out) as T;
}

/**
 * `sends`: each request is an accepted message (a commit, answered once on disk). `rejected`: the same requests
 * refused (400, empty text) before anything is written: the same HTTP load without a commit, as the control.
 */
export type ConnectionLoad = 'sends' | 'rejected';

/**
 * The core in this process (so that its event loop can be watched), linked to a simulator in another process; 50
 * keep-alive clients in a child send asynchronous messages (each one accepted into the outbox, then delivered) while
 * a second child opens a new connection every 50 ms and times its first request.
 */
export async function benchNewConnections(dir: string, load: ConnectionLoad = 'sends'): Promise<NewConnectionFigures> {
  const sim = await startExternalSimulator(dir);
  const dataDir = join(dir, 'app');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ pacing: { enabled: false } }), { mode: 0o600 });
  const core = await startCore(loadConfig({ dataDir, port: 0, waUrl: sim.wsUrl, waRootKey: sim.rootKey }), {
    logger: silentLogger(),
  });
  try {
    const qr = await eventually(async () => core.session.snapshot().qr ?? undefined, 'a QR');
    await sim.scan(qr);
    await eventually(async () => (core.session.snapshot().state === 'connected' ? true : undefined), 'linked');
    const { key } = core.keys.create({ name: 'bench', expiresAt: null });
    const init = {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: key },
      body: JSON.stringify({
        text: load === 'sends' ? 'load' : '',
        async: true,
        typing_simulation: false,
        presence_simulation: false,
      }),
    };
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const [sends, probes] = await Promise.all([
      runChild<{ perSecond: number }>('bench/load-client.ts', [
        `${core.url}/chats/${ALICE}/messages`,
        JSON.stringify(init),
        String(SENDS),
        String(CLIENTS),
      ]),
      runChild<number[]>('bench/probe-client.ts', [`${core.url}/health`, String(PROBE_EVERY_MS), String(PROBES)]),
    ]);
    delay.disable();
    return {
      probesMs: probes.sort((a, b) => a - b),
      loopP99Ms: delay.percentile(99) / 1e6,
      loopMaxMs: delay.max / 1e6,
      sendsPerSecond: sends.perSecond,
    };
  } finally {
    await core.stop();
    await sim.stop();
  }
}
