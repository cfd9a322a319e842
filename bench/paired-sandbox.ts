import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWagate } from '../test/support/wagate-process.ts';
import { eventually } from '../test/support/waits.ts';

export interface PairedSandbox {
  api: string;
  /** The API key printed at first start, and JSON. */
  headers: Record<string, string>;
  /** The `wagate serve` process's id, to read its CPU time. */
  pid: number;
  stop(): Promise<void>;
}

/**
 * A `wagate serve --sandbox` child linked to its virtual phone, as a local app meets it from another process. Pacing
 * is off: the bench measures how fast the path is, not how fast pacing lets a number send.
 */
export function servePairedSandbox(dataDir: string, node?: NodeOptions): Promise<PairedSandbox> {
  return servePaired(dataDir, { args: ['--sandbox'], node });
}

/** Given to Node before the command (an `--import`) and beside the environment (startWagate's `node`). */
export interface NodeOptions {
  args?: string[];
  env?: Record<string, string>;
}

/**
 * `wagate serve ARGS` linked: to its own virtual phone (`--sandbox`), or through `scan` to a simulator elsewhere
 * (`--wa-url`), which scans the QR the API shows.
 */
export async function servePaired(
  dataDir: string,
  target: { args: string[]; scan?: (qr: string) => Promise<void>; node?: NodeOptions },
): Promise<PairedSandbox> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ pacing: { enabled: false } }), { mode: 0o600 });
  const { running, found } = await startWagate(
    ['serve', ...target.args, '--port', '0', '--data-dir', dataDir],
    [/^API: (\S+)$/m, /^API key \(shown once[^)]*\): (\S+)$/m],
    undefined,
    target.node,
  );
  const [api, key] = found as [string, string];
  const headers = { authorization: key, 'content-type': 'application/json' };
  try {
    const state = async () =>
      ((await (await fetch(`${api}/session`, { headers })).json()) as { data: { state: string } }).data.state;
    await eventually(async () => ((await state()) === 'qr' ? true : undefined), 'a QR to scan');
    if (target.scan) {
      const qr = (await (await fetch(`${api}/session/qr?format=json`, { headers })).json()) as { data: { qr: string } };
      await target.scan(qr.data.qr);
    } else await fetch(`${api}/sandbox/phone/scan`, { method: 'POST', headers });
    await eventually(async () => ((await state()) === 'connected' ? true : undefined), 'the session to connect');
  } catch (error) {
    await running.stop();
    throw error;
  }
  return { api, headers, pid: running.child.pid!, stop: () => running.stop() };
}

/** Sends per second over `count` sends one after the other, after one untimed send to warm the path. */
export async function timed(count: number, sendOne: (i: number) => Promise<unknown>): Promise<number> {
  await sendOne(-1);
  const start = performance.now();
  for (let i = 0; i < count; i++) await sendOne(i);
  return count / ((performance.now() - start) / 1000);
}

/** One block of sends: its wall time and the CPU time each counted process spent in it (ms). */
export interface Block {
  ms: number;
  cpuMs: number[];
}

/**
 * `count` sends one after the other, timed, with the CPU each of `cpu`'s readers (ms so far, one per process) counted
 * over them: unlike wall time, CPU time barely moves when others share the cores.
 */
export async function timedBlock(
  count: number,
  sendOne: () => Promise<unknown>,
  cpu: (() => number)[],
): Promise<Block> {
  const before = cpu.map((read) => read());
  const start = performance.now();
  for (let i = 0; i < count; i++) await sendOne();
  const ms = performance.now() - start;
  return { ms, cpuMs: cpu.map((read, i) => read() - before[i]!) };
}

/** This process's CPU time so far (user + system), in ms. */
export const ownCpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
