import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CORE_NODE_FLAGS } from '../server/heap-policy.ts';
import type { LoadRequest } from './load.ts';

const CLIENTS = 50;
const PROBE_EVERY_MS = 50;
/** 200 probes (10 s of steady load): the p99 is the second worst, not the one worst as with 60. */
const PROBES = 200;

export interface NewConnectionFigures {
  /** First-request times of new connections while the clients sent, ms, sorted. */
  probesMs: number[];
  /** The server's event-loop delay while the probes ran (the clients connected and sending), ms. */
  loopP99Ms: number;
  loopMaxMs: number;
  /** The longest event-loop delay while the 50 clients connected, before the probes (not part of the goal), ms. */
  rampLoopMaxMs: number;
  /** Answers per second to the 50 clients while the probes ran. */
  sendsPerSecond: number;
  /** The clients' requests that got no answer (the connection closed under them), by error code. */
  failed: Record<string, number>;
  /**
   * The CPU the event loop's thread spent between two ticks of a 5 ms timer while the probes ran, ms: p99 and max. On a
   * quiet machine a stall is about this long (plus any wait for the disk); it moves far less with the machine's load
   * than the wall-clock delay.
   */
  turnCpuP99Ms: number;
  turnCpuMaxMs: number;
}

/** Reads the loop thread's CPU between the ticks of a timer (the work done in one or more turns of the loop). */
function watchTurnCpu() {
  const turns: number[] = [];
  let last = process.threadCpuUsage();
  const timer = setInterval(() => {
    const now = process.threadCpuUsage();
    turns.push((now.user - last.user + now.system - last.system) / 1000);
    last = now;
  }, 5);
  return {
    stop() {
      clearInterval(timer);
      turns.sort((a, b) => a - b);
      return { p99: turns[Math.ceil(turns.length * 0.99) - 1] ?? 0, max: turns.at(-1) ?? 0 };
    },
  };
}

/** Runs `node ...nodeFlags <script> ...args` and parses what it prints as JSON. */
async function runChild<T>(script: string, args: string[], nodeFlags: string[] = []): Promise<T> {
  const child = spawn(process.execPath, [...nodeFlags, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  return JSON.parse(out) as T;
}

/**
 * `sends`: each request is an accepted message (a commit, answered once on disk). `rejected`: the same requests
 * refused (400, empty text) before anything is written: the same HTTP load without a commit, as the control. `bare`:
 * the same requests to a bare node:http server that answers each at once (bench/bare-send-server.ts): what this machine
 * allows any server in the same run.
 */
export type ConnectionLoad = 'sends' | 'rejected' | 'bare';

/** What the clients and the probes are aimed at, started in the measuring process so that its loop can be watched. */
export interface ServerUnderTest {
  /** Where the 50 clients send, and what. */
  sendUrl: string;
  init: LoadRequest;
  /** What each probe's new connection asks for. */
  probeUrl: string;
  stop(): Promise<void>;
}

/** The clients' request: an asynchronous text send (`text` empty for the control), with API key `key`. */
export const sendRequest = (key: string, text: string): LoadRequest => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: key },
  body: JSON.stringify({ text, async: true, typing_simulation: false, presence_simulation: false }),
});

/**
 * The 50 keep-alive clients, in a process of its own, together no faster than `perSecond` if given: resolves once all
 * of them have had an answer.
 */
function startSteadyLoad(url: string, init: LoadRequest, perSecond?: number) {
  const args = [url, JSON.stringify(init), String(CLIENTS), ...(perSecond ? [perSecond.toFixed(0)] : [])];
  const child = spawn(process.execPath, ['bench/steady-load-client.ts', ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the load client ended early');
    return JSON.parse(value as string) as { ready?: true; perSecond?: number; failed?: Record<string, number> };
  };
  return {
    ready: next(),
    /** Ends the load; its answers per second since it was ready, and the requests that got none. */
    async stop() {
      child.stdin.end();
      const { perSecond, failed } = await next();
      return { sendsPerSecond: perSecond!, failed: failed! };
    },
  };
}

/**
 * 50 keep-alive clients in a child send to `server`, which runs in this process (so that its event loop can be
 * watched). Once every client has had an answer (all 50 connected: libuv accepts one connection per loop turn, so a
 * probe during that ramp waits behind the clients' own connections), a second child opens a new connection every
 * 50 ms and times its first request; the load goes on until the last probe is answered. Stops `server` at the end.
 */
export async function measureNewConnections(
  server: ServerUnderTest,
  perSecond?: number,
): Promise<NewConnectionFigures> {
  try {
    const ramp = monitorEventLoopDelay({ resolution: 10 });
    ramp.enable();
    const clients = startSteadyLoad(server.sendUrl, server.init, perSecond);
    await clients.ready;
    ramp.disable();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const turnCpu = watchTurnCpu();
    const probes = await runChild<number[]>('bench/probe-client.ts', [
      server.probeUrl,
      String(PROBE_EVERY_MS),
      String(PROBES),
    ]);
    delay.disable();
    const turns = turnCpu.stop();
    const { sendsPerSecond, failed } = await clients.stop();
    return {
      probesMs: probes.sort((a, b) => a - b),
      loopP99Ms: delay.percentile(99) / 1e6,
      loopMaxMs: delay.max / 1e6,
      rampLoopMaxMs: ramp.max / 1e6,
      sendsPerSecond,
      failed,
      turnCpuP99Ms: turns.p99,
      turnCpuMaxMs: turns.max,
    };
  } finally {
    await server.stop();
  }
}

/**
 * Measures in a process of its own that runs the core as `wagate serve` does (bench/connections-core.ts), with its Node
 * flags; the clients as fast as they are answered, or together no faster than `perSecond`.
 */
export function benchNewConnections(
  dir: string,
  load: ConnectionLoad = 'sends',
  perSecond?: number,
): Promise<NewConnectionFigures> {
  const rate = perSecond ? [perSecond.toFixed(0)] : [];
  return runChild<NewConnectionFigures>('bench/connections-core.ts', [dir, load, ...rate], CORE_NODE_FLAGS);
}
