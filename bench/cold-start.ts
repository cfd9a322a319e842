import { spawn } from 'node:child_process';
import { CORE_NODE_FLAGS, coreEnvironment } from '../server/heap-policy.ts';
import { cpuMs } from './process-stats.ts';

export interface HealthyFigures {
  /** From spawn until /health answered 200. */
  wallMs: number;
  /** CPU the process used by then. */
  cpuMs: number;
}

export interface StartFigures extends HealthyFigures {
  /** From spawn until /health says the session has left `starting` (Baileys loaded, the session connecting). */
  sessionWallMs: number;
  /** CPU the process used by then. */
  sessionCpuMs: number;
}

/** What a process that answers /health says, once it answers 200. */
interface Healthy extends HealthyFigures {
  url: string;
  pid: number;
  started: number;
  body: { data: { whatsapp?: string } };
}

/** /health's answer, or null while nothing answers 200. */
async function health(url: string): Promise<Healthy['body'] | null> {
  const res = await fetch(`${url}/health`).catch(() => null);
  return res?.ok === true ? ((await res.json()) as Healthy['body']) : null;
}

const nextTurn = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Spawns `node <argv>`, which prints `API: <url>` once it listens, and times it until /health answers 200; `then`
 * goes on from there before the process is stopped.
 */
async function timeUntilHealthy<T>(
  argv: string[],
  env: NodeJS.ProcessEnv,
  then: (healthy: Healthy) => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'ignore'], env });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk;
        const match = /^API: (\S+)$/m.exec(out);
        if (match) resolve(match[1]!);
      });
      child.once('exit', () => reject(new Error(`node ${argv.join(' ')} exited: ${out}`)));
    });
    let body = await health(url);
    while (body === null) body = await nextTurn(2).then(() => health(url));
    const wallMs = performance.now() - started;
    return await then({ url, pid: child.pid!, started, body, wallMs, cpuMs: cpuMs(child.pid!) });
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/**
 * How the command is started: `plain`, as a user would (`node bin/wagate.js`: on Linux it re-executes itself once, a
 * second Node boot, for glibc's and V8's memory settings); `settings-given`, with those settings already in its
 * environment and command line (as a service manager could give them), so that it goes on at once.
 */
export type StartedAs = 'plain' | 'settings-given';

/** Starts the real command and times it until /health answers; then stops it. */
export function coldStart(args: string[], startedAs: StartedAs = 'plain'): Promise<StartFigures> {
  const plainEnv = { ...process.env, WAGATE_KEYRING: 'off' };
  const [flags, commandEnv] = startedAs === 'plain' ? [[], plainEnv] : [CORE_NODE_FLAGS, coreEnvironment(plainEnv)];
  const argv = [...flags, 'bin/wagate.js', ...args];
  return timeUntilHealthy(argv, commandEnv, async ({ url, pid, started, body, ...healthy }) => {
    let state = body.data.whatsapp;
    // Asked less often now: each /health costs the server CPU that would count against its start.
    while (state === 'starting') state = await nextTurn(20).then(async () => (await health(url))?.data.whatsapp);
    return { ...healthy, sessionWallMs: performance.now() - started, sessionCpuMs: cpuMs(pid) };
  });
}

/**
 * The floor of a start on this machine at this moment: a bare node:http server (bench/bare-health-server.js) started
 * with the Node flags and environment that `wagate serve` re-executes itself with, timed the same way.
 */
export function bareColdStart(): Promise<HealthyFigures> {
  const argv = [...CORE_NODE_FLAGS, 'bench/bare-health-server.js'];
  return timeUntilHealthy(argv, coreEnvironment(process.env), async ({ wallMs, cpuMs }) => ({ wallMs, cpuMs }));
}
