import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWagate, startWagate, type Running } from '../test/support/wagate-process.ts';
import { ALICE } from '../test/support/contacts.ts';
import { eventually } from '../test/support/waits.ts';
import { rssMb } from './process-stats.ts';
import { CORE_NODE_FLAGS, coreEnvironment } from '../server/heap-policy.ts';

/** After linking, both sides get this long to finish their initial queries before their memory is read. */
const SETTLE_MS = 5_000;
const SEND_CONCURRENCY = 8;
/**
 * After the last sends, how long the server is left idle before it is read once more: V8's memory reducer checks
 * every 8 s and returns the pages its collections kept once the allocation rate has been low for two checks
 * (server/heap-policy.ts). The idle reading is taken the same way, settled.
 */
export const IDLE_AFTER_SENDS_MS = 45_000;

/** Both processes can be told to run a full GC from outside (bench/gc-on-signal.ts): the same flags for both. */
const NODE_FLAGS = ['--expose-gc', '--import', './bench/gc-on-signal.ts'];
const GC_DONE = /gc done: (\{.*\})/g;

const mb = (bytes: number) => bytes / 1024 / 1024;

/** Runs a full GC in a process started with NODE_FLAGS (a SIGUSR2) and answers its memory right after. */
async function askForGc(child: ChildProcess, errors: () => string): Promise<NodeJS.MemoryUsage> {
  const before = [...errors().matchAll(GC_DONE)].length;
  child.kill('SIGUSR2');
  const done = await eventually(() => [...errors().matchAll(GC_DONE)][before], 'the GC asked for');
  return JSON.parse(done[1]!) as NodeJS.MemoryUsage;
}

/** Runs a full GC in wagate serve and answers its memory right after, in MB. */
async function collectGarbage(wagate: Running): Promise<Omit<MemoryReading, 'sends' | 'rssMb' | 'rssAfterGcMb'>> {
  const usage = await askForGc(wagate.child, wagate.errors);
  return {
    heapUsedAfterGcMb: mb(usage.heapUsed),
    heapTotalAfterGcMb: mb(usage.heapTotal),
    externalAfterGcMb: mb(usage.external),
  };
}

/** wagate serve's memory at one point: RSS as it is, then RSS and the JS heap in use right after a full GC. */
export interface MemoryReading {
  sends: number;
  rssMb: number;
  rssAfterGcMb: number;
  heapUsedAfterGcMb: number;
  /** The JS heap V8 keeps (used or not), and memory outside it that JS objects hold (Buffers, ArrayBuffers). */
  heapTotalAfterGcMb: number;
  externalAfterGcMb: number;
}

/** `sends: RSS as read / after a full GC (JS heap used of total, external)`, in MB. */
export function describeReading(r: MemoryReading): string {
  return `${r.sends}: ${r.rssMb.toFixed(1)} / ${r.rssAfterGcMb.toFixed(1)} (${r.heapUsedAfterGcMb.toFixed(1)} of ${r.heapTotalAfterGcMb.toFixed(1)}, ${r.externalAfterGcMb.toFixed(1)})`;
}

export interface MemoryFigures {
  bareIdleMb: number;
  /** The bare client's JS heap in use right after a full GC, once idle. */
  bareHeapUsedAfterGcMb: number;
  wagateIdle: MemoryReading;
  /** After each checkpoint of sends (each reading's GC also cleans up before the next stretch). */
  afterSends: MemoryReading[];
  /** After the last sends and IDLE_AFTER_SENDS_MS of nothing: what the process keeps once idle again. */
  idleAfterSends?: MemoryReading;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

async function startSimulator(dataDir: string) {
  const { running, found } = await startWagate(
    ['sandbox', '--port', '0', '--data-dir', dataDir],
    [/^WhatsApp simulator: (\S+)$/m, /^Root public key: (\S+)$/m, /^Control API: (\S+)\/sandbox\/phone$/m],
  );
  const [wsUrl, rootKey, control] = found as [string, string, string];
  return { running, wsUrl, rootKey, control };
}

/**
 * A bare linked Baileys client's resident memory once idle (bench/bare-client.ts), as read, and then its JS heap in use
 * right after a full GC, read as wagate serve's is.
 */
async function bareIdle(sim: { wsUrl: string; rootKey: string; control: string }, nodeFlags: string[]) {
  // The environment and Node flags `wagate serve` starts itself with (bin/wagate.js): the same malloc arenas and young
  // generation.
  const child = spawn(
    process.execPath,
    [...CORE_NODE_FLAGS, ...nodeFlags, 'bench/bare-client.ts', sim.wsUrl, sim.rootKey, sim.control],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: coreEnvironment(process.env),
    },
  );
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => {
    errors += chunk;
    process.stderr.write(chunk);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => String(chunk).includes('linked') && resolve());
      child.once('exit', (code) => reject(new Error(`the bare client exited with ${code}`)));
    });
    await settle();
    const idleMb = rssMb(child.pid!);
    const usage = await askForGc(child, () => errors);
    return { idleMb, heapUsedAfterGcMb: mb(usage.heapUsed) };
  } finally {
    child.kill('SIGKILL');
  }
}

async function linkWagate(api: string, control: string, headers: Record<string, string>): Promise<void> {
  const qr = await eventually(async () => {
    const res = await fetch(`${api}/session/qr?format=json`, { headers });
    return res.ok ? ((await res.json()) as { data: { qr: string } }).data.qr : undefined;
  }, 'a QR from the API');
  await fetch(`${control}/sandbox/phone/scan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ qr }),
  });
  await eventually(async () => {
    const res = await fetch(`${api}/session`, { headers });
    return ((await res.json()) as { data: { state: string } }).data.state === 'connected' ? true : undefined;
  }, 'the session connected');
}

/** `count` synchronous sends (each answered once the server acked it), SEND_CONCURRENCY at a time. */
async function send(api: string, headers: Record<string, string>, count: number): Promise<void> {
  let next = 0;
  const body = (i: number) =>
    JSON.stringify({ text: `memory ${i}`, typing_simulation: false, presence_simulation: false });
  const worker = async () => {
    while (next < count) {
      const res = await fetch(`${api}/chats/${ALICE}/messages`, { method: 'POST', headers, body: body(next++) });
      if (res.status !== 200) throw new Error(`send answered ${res.status}: ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: SEND_CONCURRENCY }, worker));
}

/**
 * Idle memory of `wagate serve` linked to a simulator in another process, against a bare Baileys client linked to
 * the same simulator, both with the same Node flags; then the server's memory after each checkpoint of sends.
 */
export async function benchMemory(dir: string, checkpoints: number[]): Promise<MemoryFigures> {
  const sim = await startSimulator(join(dir, 'sim'));
  let wagate: Running | null = null;
  try {
    const bare = await bareIdle(sim, NODE_FLAGS);
    const bareFigures = { bareIdleMb: bare.idleMb, bareHeapUsedAfterGcMb: bare.heapUsedAfterGcMb };
    const dataDir = join(dir, 'app');
    mkdirSync(join(dataDir, 'sandbox'), { recursive: true, mode: 0o700 });
    // Pacing off: the bench measures what the path keeps, not how fast pacing lets a number send.
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ pacing: { enabled: false } }), { mode: 0o600 });
    const started = await startWagate(
      ['serve', '--port', '0', '--data-dir', dataDir, '--wa-url', sim.wsUrl, '--wa-root-key', sim.rootKey],
      [/^API: (\S+)$/m],
      20_000,
      { args: NODE_FLAGS },
    );
    wagate = started.running;
    const api = started.found[0]!;
    const key = runWagate(['keys', 'create', 'bench', '--sandbox', '--data-dir', dataDir]).trim();
    const headers = { authorization: key, 'content-type': 'application/json' };
    await linkWagate(api, sim.control, headers);
    await settle();
    const pid = wagate.child.pid!;
    const running = wagate;
    const reading = async (sends: number): Promise<MemoryReading> => {
      const rss = rssMb(pid);
      const afterGc = await collectGarbage(running);
      const read = { sends, rssMb: rss, rssAfterGcMb: rssMb(pid), ...afterGc };
      // Each reading as it comes: a long run (10,000 sends take a while under load) shows its shape while it runs.
      console.log(`memory: ${describeReading(read)}`);
      return read;
    };
    const wagateIdle = await reading(0);
    const afterSends: MemoryReading[] = [];
    let sent = 0;
    for (const total of checkpoints) {
      await send(api, headers, total - sent);
      sent = total;
      afterSends.push(await reading(total));
    }
    if (sent === 0) return { ...bareFigures, wagateIdle, afterSends };
    await new Promise((resolve) => setTimeout(resolve, IDLE_AFTER_SENDS_MS));
    console.log(`memory: idle ${IDLE_AFTER_SENDS_MS / 1000} s after the last send:`);
    return { ...bareFigures, wagateIdle, afterSends, idleAfterSends: await reading(sent) };
  } finally {
    await wagate?.stop();
    await sim.running.stop();
  }
}
