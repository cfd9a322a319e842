import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { silentLogger } from '../server/logger.ts';
import { CORE_NODE_FLAGS, coreEnvironment } from '../server/heap-policy.ts';
import { startSimulator } from '../server/sandbox/simulator.ts';
import { trustSimulatorRoot } from '../server/whatsapp/trust-root.ts';
import { listenForAcks } from '../server/whatsapp/server-acks.ts';
import { generateMessageIDV2 } from '@whiskeysockets/baileys';
import { BaileysTestClient, silenceLibsignal } from '../test/support/baileys-client.ts';
import { keepLateKeyWrites } from '../server/whatsapp/late-key-writes.ts';
import { ALICE } from '../test/support/contacts.ts';
import type { AnswerTiming } from './answer-timing.ts';
import {
  ownCpuMs,
  servePaired,
  servePairedSandbox,
  timedBlock,
  type Block,
  type NodeOptions,
  type PairedSandbox,
} from './paired-sandbox.ts';
import { startExternalSimulator, type ExternalSimulator } from './external-simulator.ts';
import { cpuMs, mainThreadCpuMs } from './process-stats.ts';
import { requestOnce } from './load.ts';
import { eventually } from '../test/support/waits.ts';

/**
 * Each round sends BLOCKS blocks of BLOCK_SENDS on each side, the two sides taking turns (bare first in even blocks,
 * WaGate first in odd ones): the machine's speed drifts by tens of percent over seconds here (others' VMs share the
 * host), and turns of under a second put the same drift on both sides of a round's ratio.
 */
const BLOCKS = 6;
const BLOCK_SENDS = 40;
/**
 * Untimed sends on each side before the first round: the contact's Signal session, the first commits, and the JIT of
 * each process, the API's client included. With 10, the client spent 0.7-0.85 ms of CPU a request in the first rounds
 * and ~0.4 once warm (after ~700 requests), which lengthened the turn between a 200 and the next request by as much;
 * WaGate's own main thread beyond bare's fell from 0.6-1.7 ms a send to 0.3-0.9 the same way (NOTES.md, warm-up).
 */
const WARM_UP_SENDS = 1000;
/** The outbox's figure: this many `"async": true` sends after each round, timed until all are delivered. */
const OUTBOX_SENDS = 60;

/** Sends per second, and the CPU each send cost (ms): the whole process's, and its main thread's. */
export interface SendFigures {
  perSecond: number;
  cpuMsPerSend: number;
  mainThreadMsPerSend: number;
}

/**
 * WaGate's: the `wagate serve` process's CPU per send, and its client's (this process) beside it; how long WaGate
 * took from a request's arrival to its 200, and its client's turn from a 200 to the next request's arrival, with how
 * much of that turn WaGate's event loop was busy (bench/answer-timing.ts).
 */
export interface ApiFigures extends SendFigures {
  clientCpuMsPerSend: number;
  answerMsPerSend: number;
  turnMsPerSend: number;
  turnBusyMsPerSend: number;
}

/** A block's figures, and for WaGate's side how its server saw it. */
export type SideBlock = Block & { timing?: AnswerTiming };

/** One side, linked and ready: `block(count)` sends `count` messages one after the other, each to its ack or 200. */
export interface Side {
  block(count: number): Promise<SideBlock>;
  stop(): Promise<void>;
}

/**
 * Bare Baileys (an in-memory auth state) linked to `sim`, sending one message after the other and waiting for each
 * one's server ack, as a 200 of WaGate does: the fair yardstick (a loop that only waits for the frame to be written
 * never yields, and its messages reach the simulator after its clock stops). Runs in a child of its own
 * (bench/messages-bare.ts) under the same heap policy as `wagate serve`.
 */
export async function linkBare(sim: Pick<ExternalSimulator, 'wsUrl' | 'rootKey' | 'scan'>): Promise<Side> {
  silenceLibsignal();
  trustSimulatorRoot(sim.rootKey);
  const client = new BaileysTestClient(sim.wsUrl);
  // Both sides issue a contact its privacy token once, as WaGate does: stock 7.0.0-rc14 issues one a message.
  keepLateKeyWrites(client.connect().authState.keys);
  await sim.scan(await client.waitForQr());
  await client.waitForOpen();
  const sock = client.sock!;
  const acks = listenForAcks(sock);
  let sent = 0;
  const sendOne = async () => {
    const messageId = generateMessageIDV2(sock.user?.id);
    const acked = acks.waitFor(messageId, 30_000);
    await sock.sendMessage(`${ALICE}@s.whatsapp.net`, { text: `bare ${sent++}` }, { messageId });
    await acked;
  };
  const mainThread = () => mainThreadCpuMs(process.pid);
  return { block: (count) => timedBlock(count, sendOne, [ownCpuMs, mainThread]), stop: () => client.end() };
}

/** Bare Baileys with its simulator in the same process, as `serve --sandbox` has one in its own. */
export async function linkBareInProcess(dataDir: string): Promise<Side> {
  const sim = await startSimulator({ dataDir, port: 0, logger: silentLogger() });
  const bare = await linkBare({
    wsUrl: sim.wsUrl,
    rootKey: sim.rootPublicKey,
    scan: async (qr) => void (await sim.scan(qr)),
  });
  return { block: bare.block, stop: async () => (await bare.stop(), await sim.close()) };
}

/**
 * Bare Baileys in a process of its own (bench/messages-bare.ts), started with `wagate serve`'s Node flags, which
 * applies its heap policy before anything loads: the same young generation on both sides. It links, then runs a block
 * per line it reads.
 */
async function bareInChild(args: string[]): Promise<Side> {
  const child = spawn(
    process.execPath,
    [...CORE_NODE_FLAGS, new URL('./messages-bare.ts', import.meta.url).pathname, ...args],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: coreEnvironment(process.env),
    },
  );
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await Promise.race([lines.next(), exited.then(() => null)]);
    if (!line || line.done) throw new Error(`bare Baileys exited with ${child.exitCode}:\n${err}`);
    return line.value;
  };
  while ((await next()) !== 'linked');
  return {
    async block(count) {
      child.stdin.write(`${count}\n`);
      return JSON.parse(await next()) as Block;
    },
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}

/**
 * The local app's HTTP client: node:http over one keep-alive connection, as the rejected-send bench's load client
 * (bench/load.ts). What it measures is WaGate's path, not a client library's: undici's `fetch` spent ~0.7 ms more CPU
 * per request and lengthened the client's turn between a 200 and its next request by ~1 ms (NOTES.md).
 */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One text to Alice through the API, with both simulations off; fails unless answered `expected`. */
async function sendText(api: string, headers: Record<string, string>, text: string, async: boolean, expected: number) {
  const body = JSON.stringify({ text, typing_simulation: false, presence_simulation: false, async });
  const status = await requestOnce(`${api}/chats/${ALICE}/messages`, { method: 'POST', headers, body }, agent);
  if (status !== expected) throw new Error(`a send was answered ${status}, not ${expected}`);
}

/** The server's answer timing (bench/answer-timing.ts) in `wagate serve`, its totals written to `file` when asked. */
function answerTiming(file: string): { node: NodeOptions; read(pid: number): Promise<AnswerTiming> } {
  let seq = 0;
  const node = {
    args: ['--import', new URL('./answer-timing.ts', import.meta.url).pathname],
    env: { WAGATE_BENCH_TIMING: file },
  };
  const written = (): AnswerTiming | null => {
    try {
      const timing = JSON.parse(readFileSync(file, 'utf8')) as AnswerTiming;
      return timing.seq === seq ? timing : null;
    } catch {
      return null; // not written yet, or being written
    }
  };
  return {
    node,
    async read(pid) {
      seq++;
      process.kill(pid, 'SIGUSR2');
      const until = performance.now() + 5_000;
      for (let timing = written(); ; timing = written()) {
        if (timing) return timing;
        if (performance.now() > until) throw new Error('wagate serve did not write its answer timing');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    },
  };
}

/**
 * Synchronous sends through a paired `wagate serve`, each to its 200, with the CPU of both processes and how the
 * server saw the block (read after it, outside its time).
 */
function apiSide({ api, headers, pid }: PairedSandbox, timing: (pid: number) => Promise<AnswerTiming>): Side {
  let sent = 0;
  const sendOne = () => sendText(api, headers, `api ${sent++}`, false, 200);
  const readers = [() => cpuMs(pid), () => mainThreadCpuMs(pid), ownCpuMs];
  return {
    async block(count) {
      const block = await timedBlock(count, sendOne, readers);
      return { ...block, timing: await timing(pid) };
    },
    stop: async () => undefined,
  };
}

/** A side's blocks summed: each block's CPU readings are [process, its main thread, the client's if any]. */
const figures = (blocks: SideBlock[]): ApiFigures => {
  const sends = blocks.length * BLOCK_SENDS;
  const ms = blocks.reduce((sum, block) => sum + block.ms, 0);
  const cpu = (i: number) => blocks.reduce((sum, block) => sum + (block.cpuMs[i] ?? 0), 0) / sends;
  const timed = (key: keyof AnswerTiming) => blocks.reduce((sum, block) => sum + (block.timing?.[key] ?? 0), 0);
  return {
    perSecond: sends / (ms / 1000),
    cpuMsPerSend: cpu(0),
    mainThreadMsPerSend: cpu(1),
    clientCpuMsPerSend: cpu(2),
    answerMsPerSend: timed('answerMs') / timed('answered'),
    turnMsPerSend: timed('turnMs') / timed('turns'),
    turnBusyMsPerSend: timed('turnBusyMs') / timed('turns'),
  };
};

/** One round: the two sides take turns, BLOCKS blocks each. */
async function round(bare: Side, api: Side): Promise<{ bare: SendFigures; api: ApiFigures }> {
  const bareBlocks: SideBlock[] = [];
  const apiBlocks: SideBlock[] = [];
  for (let i = 0; i < BLOCKS; i++) {
    const turns = [
      async () => bareBlocks.push(await bare.block(BLOCK_SENDS)),
      async () => apiBlocks.push(await api.block(BLOCK_SENDS)),
    ];
    if (i % 2) turns.reverse();
    for (const turn of turns) await turn();
  }
  const { perSecond, cpuMsPerSend, mainThreadMsPerSend } = figures(bareBlocks);
  return { bare: { perSecond, cpuMsPerSend, mainThreadMsPerSend }, api: figures(apiBlocks) };
}

/** Both sides warmed up, then `count` rounds, each followed by `afterEach` (whose figure it keeps). */
async function rounds<T>(count: number, bare: Side, api: Side, afterEach: () => Promise<T>) {
  await bare.block(WARM_UP_SENDS);
  await api.block(WARM_UP_SENDS);
  const results = [];
  for (let i = 0; i < count; i++) results.push({ ...(await round(bare, api)), after: await afterEach() });
  return results;
}

/** `OUTBOX_SENDS` sends with `"async": true` (each answered 202 at once), per second until the outbox delivered all. */
async function outboxRate({ api, headers }: PairedSandbox): Promise<number> {
  const outboxEmpty = async () =>
    ((await (await fetch(`${api}/outbox`, { headers })).json()) as { data: unknown[] }).data.length === 0;
  const start = performance.now();
  for (let i = 0; i < OUTBOX_SENDS; i++) await sendText(api, headers, `outbox ${i}`, true, 202);
  await eventually(async () => ((await outboxEmpty()) ? true : undefined), 'the outbox delivered', 120_000);
  return OUTBOX_SENDS / ((performance.now() - start) / 1000);
}

export interface InProcessRound {
  bare: SendFigures;
  api: ApiFigures;
  /** `"async": true` sends per second until all were delivered, measured after the round. */
  outbox: number;
}

/**
 * Each side's simulator in that side's process: bare Baileys and its simulator in one child, `wagate serve --sandbox`
 * in another, its client (as a local app) in this one. Both stay linked for the whole run and take turns.
 */
export async function benchMessagesInProcess(dataDir: string, count: number): Promise<InProcessRound[]> {
  const bare = await bareInChild(['in-process', join(dataDir, 'bare')]);
  try {
    const timing = answerTiming(join(dataDir, 'answer-timing.json'));
    const paired = await servePairedSandbox(join(dataDir, 'api'), timing.node);
    try {
      const results = await rounds(count, bare, apiSide(paired, timing.read), () => outboxRate(paired));
      return results.map(({ after, ...sides }) => ({ ...sides, outbox: after }));
    } finally {
      await paired.stop();
    }
  } finally {
    await bare.stop();
  }
}

/**
 * Each side with a simulator in a process of its own (`wagate sandbox`, one each): bare Baileys in its own process,
 * WaGate as `wagate serve --wa-url` in another, its client here; synchronous sends, taking turns as above.
 */
export async function benchMessagesExternal(
  dataDir: string,
  count: number,
): Promise<{ bare: SendFigures; api: ApiFigures }[]> {
  const stops: (() => Promise<void>)[] = [];
  try {
    const bareSim = await startExternalSimulator(join(dataDir, 'bare'));
    stops.push(bareSim.stop);
    const bare = await bareInChild(['external', bareSim.wsUrl, bareSim.rootKey, bareSim.control]);
    stops.push(bare.stop);
    const sim = await startExternalSimulator(join(dataDir, 'api'));
    stops.push(sim.stop);
    const timing = answerTiming(join(dataDir, 'answer-timing.json'));
    const paired = await servePaired(join(dataDir, 'api', 'app'), {
      args: ['--wa-url', sim.wsUrl, '--wa-root-key', sim.rootKey],
      scan: (qr) => sim.scan(qr),
      node: timing.node,
    });
    stops.push(paired.stop);
    const results = await rounds(count, bare, apiSide(paired, timing.read), async () => undefined);
    return results.map(({ bare, api }) => ({ bare, api }));
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}
