import { spawn } from 'node:child_process';
import { cpuMs } from './process-stats.ts';

export interface StartFigures {
  /** From spawn until /health answered 200. */
  wallMs: number;
  /** CPU the process used by then. */
  cpuMs: number;
  /** From spawn until /health says the session has left `starting` (Baileys loaded, the session connecting). */
  sessionWallMs: number;
  /** CPU the process used by then. */
  sessionCpuMs: number;
}

/** The session's state as /health says it, or null while nothing answers. */
async function healthState(url: string): Promise<string | null> {
  const res = await fetch(`${url}/health`).catch(() => null);
  if (res?.ok !== true) return null;
  return ((await res.json()) as { data: { whatsapp: string } }).data.whatsapp;
}

const nextTurn = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the real command, as a user would, and times it until /health answers; then stops it. */
export async function coldStart(args: string[], env: NodeJS.ProcessEnv = {}): Promise<StartFigures> {
  const started = performance.now();
  const child = spawn(process.execPath, ['bin/wagate.js', ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, WAGATE_KEYRING: 'off', ...env },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk;
        const match = /^API: (\S+)$/m.exec(out);
        if (match) resolve(match[1]!);
      });
      child.once('exit', () => reject(new Error(`wagate ${args.join(' ')} exited: ${out}`)));
    });
    let state = await healthState(url);
    while (state === null) state = await nextTurn(2).then(() => healthState(url));
    const health = { wallMs: performance.now() - started, cpuMs: cpuMs(child.pid!) };
    // Asked less often now: each /health costs the server CPU that would count against its start.
    while (state === 'starting') state = await nextTurn(20).then(() => healthState(url));
    return { ...health, sessionWallMs: performance.now() - started, sessionCpuMs: cpuMs(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
