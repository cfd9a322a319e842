import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../server/config.ts';
import { startCore } from '../server/core.ts';
import { silentLogger } from '../server/logger.ts';
import type { LoadResult } from './load.ts';
import { benchMessagesExternal, benchMessagesInProcess, type ApiFigures, type SendFigures } from './messages.ts';
import { benchImagesPerSecond } from './images.ts';
import { benchBacklog } from './backlog.ts';
import { bareColdStart, coldStart, type HealthyFigures, type StartFigures } from './cold-start.ts';
import { benchMemory, describeReading, IDLE_AFTER_SENDS_MS } from './memory.ts';
import { benchNewConnections, type NewConnectionFigures } from './new-connections.ts';

const REQUESTS = 20_000;
const ROUNDS = 3;
/** Issue 15's targets for what this bench measures. */
const GOALS = {
  rejectedRatio: 0.65,
  coldStartMs: 500,
  messagesRatio: 0.85,
  externalMessagesRatio: 0.6,
  idleRatio: 1.0,
  growthMb: 20,
  newConnectionP99Ms: 100,
  loopStallMs: 50,
};
/** Sends after which the server's memory is read in a short run (a look at its shape; the goal needs --sends=10000). */
const MEMORY_CHECKPOINTS = [100, 400, 700];
/** The goal's number of sends, and the readings of a full run: a tenth, a quarter, a half, three quarters, all. */
const GROWTH_SENDS = 10_000;
const fullCheckpoints = (sends: number) => [0.1, 0.25, 0.5, 0.75, 1].map((part) => Math.round(sends * part));
const NODE_FLAGS_WORDS = '--expose-gc (for the GC) and the same heap policy';
const REJECTED_BODY = JSON.stringify({ text: '' });
/** Any 32-byte key: the bench's cold start never reaches a simulator. */
const NO_ROOT_KEY = Buffer.alloc(32, 1).toString('base64');
const SEED_400 = JSON.stringify({ status: false, code: 400, message: 'Bad request', error: 'Text field is required' });

/** Runs the load from another process: the same client, the same concurrency, for both sides. */
async function load(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
  total: number,
): Promise<LoadResult & { serverCpuUsPerRequest: number }> {
  // The server under test runs in this process: its CPU per request barely moves with the machine's load.
  const cpu = process.cpuUsage();
  const child = spawn(process.execPath, ['bench/load-client.ts', url, JSON.stringify(init), String(total)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the load client exited with ${code}`);
  const used = process.cpuUsage(cpu);
  return { ...(JSON.parse(out) as LoadResult), serverCpuUsPerRequest: (used.user + used.system) / total };
}

/** The floor: node:http answering the same 400 JSON with no framework, no auth, no validation. */
async function bareBaseline(): Promise<LoadResult & { serverCpuUsPerRequest: number }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(400, { 'content-type': 'application/json' }).end(SEED_400));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const result = await load(
    `http://127.0.0.1:${port}/chats/15550001111/messages`,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: REJECTED_BODY },
    REQUESTS,
  );
  server.close();
  return result;
}

async function wagateRejected(dataDir: string): Promise<LoadResult & { serverCpuUsPerRequest: number }> {
  const core = await startCore(loadConfig({ dataDir, port: 0, sandbox: true }), { logger: silentLogger() });
  const { key } = core.keys.create({ name: 'bench', expiresAt: null });
  const result = await load(
    `${core.url}/chats/15550001111/messages`,
    { method: 'POST', headers: { 'content-type': 'application/json', authorization: key }, body: REJECTED_BODY },
    REQUESTS,
  );
  await core.stop();
  return result;
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const min = (xs: number[]) => sorted(xs)[0]!;
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
/** A ratio held to an "at least" goal, cut (not rounded) to two digits: 0.849 reads 0.84, never the goal's 0.85. */
const atLeast = (x: number) => (Math.floor(x * 100) / 100).toFixed(2);
const spread = (xs: number[], digits: number | ((x: number) => string) = 2) => {
  const format = typeof digits === 'number' ? (x: number) => x.toFixed(digits) : digits;
  return `min ${format(min(xs))}, median ${format(median(xs))} (${xs.map(format).join(', ')})`;
};
const goalLine = (name: string, met: boolean, detail: string) =>
  console.log(`goal ${name}: ${met ? 'met' : 'not met'} (${detail})`);

/**
 * `npm run bench -- rejected` runs only the parts named; `--sends=N` makes the memory part send N for real, `--idle`
 * stops it after the idle reading.
 */
const args = process.argv.slice(2);
const only = new Set(args.filter((arg) => !arg.startsWith('--')));
const sendsArg = args.find((arg) => arg.startsWith('--sends='));
const sendsFlag = sendsArg ? Number(sendsArg.slice('--sends='.length)) : null;
const idleOnly = args.includes('--idle');
const wanted = (part: string) => only.size === 0 || only.has(part);

const dir = mkdtempSync(join(tmpdir(), 'wagate-bench-'));
try {
  if (wanted('rejected')) {
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const bare = await bareBaseline();
      const wagate = await wagateRejected(join(dir, `rejected-${round}`));
      ratios.push(wagate.perSecond / bare.perSecond);
      cpuRatios.push(bare.serverCpuUsPerRequest / wagate.serverCpuUsPerRequest);
      console.log(
        `round ${round + 1}: rejected send (400, authenticated) ${wagate.perSecond.toFixed(0)} req/s, ${wagate.serverCpuUsPerRequest.toFixed(0)} µs CPU each; bare node:http ${bare.perSecond.toFixed(0)} req/s, ${bare.serverCpuUsPerRequest.toFixed(0)} µs CPU each`,
      );
    }
    console.log(`rejected send / bare node:http: ${spread(ratios, atLeast)}`);
    console.log(`bare node:http's server CPU per request / WaGate's (load-proof): ${spread(cpuRatios)}`);
    goalLine(
      'rejected send >= 0.65x bare node:http (median of 3)',
      median(ratios) >= GOALS.rejectedRatio,
      // Both sides share the cores with the load client: req/s ratios move 2-3x with others' load, CPU ratios barely.
      `median ${atLeast(median(ratios))}; by server CPU per request ${median(cpuRatios).toFixed(2)}; at load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`,
    );
  }
  if (wanted('start')) {
    // Plain `serve` (what a user runs), without a network: --wa-url points at a port nobody listens on.
    const dataDir = join(dir, 'cold');
    const args = [
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--wa-url',
      'ws://127.0.0.1:9/ws/chat',
      '--wa-root-key',
      NO_ROOT_KEY,
    ];
    const first = await coldStart(args);
    const again: StartFigures[] = [];
    const given: StartFigures[] = [];
    const bare: HealthyFigures[] = [];
    // Each later start is followed by one given its settings and a bare server's: all three meet the machine as it is.
    for (let round = 0; round < ROUNDS; round++) {
      again.push(await coldStart(args));
      given.push(await coldStart(args, 'settings-given'));
      bare.push(await bareColdStart());
    }
    const walls = again.map((s) => s.wallMs);
    const givenWalls = given.map((s) => s.wallMs);
    const cpus = again.map((s) => s.cpuMs);
    const bareWalls = bare.map((s) => s.wallMs);
    const bareCpus = bare.map((s) => s.cpuMs);
    console.log(
      `cold start of wagate serve to /health, first start of a new data folder: ${first.wallMs.toFixed(0)} ms (${first.cpuMs} ms CPU)`,
    );
    console.log(
      `cold start of wagate serve to /health, later starts, ms: ${spread(walls, 0)}; CPU ms: ${spread(cpus, 0)}`,
    );
    console.log(
      `later starts until the session has left "starting" (Baileys loaded once the port has given its first answer, the session connecting), ms: ${spread(
        again.map((s) => s.sessionWallMs),
        0,
      )}; CPU ms: ${spread(
        again.map((s) => s.sessionCpuMs),
        0,
      )}`,
    );
    console.log(
      `later starts given the memory settings that wagate serve re-executes itself for (glibc's malloc environment, V8's young-generation flag), so one Node boot instead of two, ms: ${spread(givenWalls, 0)}; CPU ms: ${spread(
        given.map((s) => s.cpuMs),
        0,
      )}`,
    );
    console.log(
      `cold start of a bare node:http server to /health (the same Node flags and environment, after each later start), ms: ${spread(bareWalls, 0)}; CPU ms: ${spread(bareCpus, 0)}`,
    );
    // NOTES.md (eleventh wave): the second Node boot is the price of the memory goals' settings, which only a
    // process's start can take.
    const reexecWords =
      median(walls) > GOALS.coldStartMs
        ? `; not met by the second Node boot: started with the memory settings given, the same start took median ${median(givenWalls).toFixed(0)} ms (closest ${min(givenWalls).toFixed(0)}), ${(median(walls) - median(givenWalls)).toFixed(0)} ms less; glibc reads its settings and V8 sizes its young generation only as a process starts, and the idle and growth goals rest on them`
        : '';
    goalLine(
      'cold start <= 500 ms',
      median(walls) <= GOALS.coldStartMs,
      `median ${median(walls).toFixed(0)} ms wall (closest ${min(walls).toFixed(0)}), ${median(cpus).toFixed(0)} ms CPU, at load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores; wall time grows with the machine's load, CPU time barely; a bare node:http server's start in this run: median ${median(bareWalls).toFixed(0)} ms wall, ${median(bareCpus).toFixed(0)} ms CPU (WaGate ${(median(walls) / median(bareWalls)).toFixed(1)}x, ${(median(cpus) / median(bareCpus)).toFixed(1)}x by CPU)${reexecWords}`,
    );
  }
  if (wanted('messages')) {
    const sync: number[] = [];
    const outbox: number[] = [];
    const external: number[] = [];
    const syncCpu: number[] = [];
    const externalCpu: number[] = [];
    const cpuWords = (bare: SendFigures, api: ApiFigures) =>
      `CPU per send: bare ${bare.cpuMsPerSend.toFixed(2)} ms, WaGate ${api.cpuMsPerSend.toFixed(2)} ms + its client ${api.clientCpuMsPerSend.toFixed(2)} ms; ` +
      `main thread per send: bare ${bare.mainThreadMsPerSend.toFixed(2)} ms, WaGate ${api.mainThreadMsPerSend.toFixed(2)} ms; ` +
      `a send's time per side: bare ${(1000 / bare.perSecond).toFixed(2)} ms; WaGate from a request's arrival to its 200 ${api.answerMsPerSend.toFixed(2)} ms, then its client's turn to the next request's arrival ${api.turnMsPerSend.toFixed(2)} ms (WaGate's event loop busy ${api.turnBusyMsPerSend.toFixed(2)} ms of it)`;
    // The part of a send WaGate's server has in hand, against bare Baileys' whole send: what the API's client costs
    // between an answer and its next request is outside it (bench/answer-timing.ts).
    const answerRatio = (bare: SendFigures, api: ApiFigures) => 1000 / bare.perSecond / api.answerMsPerSend;
    // Each send goes through its process's main thread one after the other: what WaGate's adds beside bare Baileys' is
    // the part of the gap no other core can take, and at the goal's ratio a send may take bare's time × (1/0.85 - 1).
    const mainExtra: number[] = [];
    const allowed: number[] = [];
    const answerRatios: number[] = [];
    const turns: number[] = [];
    const turnsBusy: number[] = [];
    const inProcess = await benchMessagesInProcess(join(dir, 'messages'), ROUNDS);
    const apart = await benchMessagesExternal(join(dir, 'messages-external'), ROUNDS);
    // What a send costs each side in CPU: with the client's, what WaGate's path adds, whoever else uses the cores.
    const cpuRatio = (bare: SendFigures, api: ApiFigures) =>
      bare.cpuMsPerSend / (api.cpuMsPerSend + api.clientCpuMsPerSend);
    for (const [round, messages] of inProcess.entries()) {
      sync.push(messages.api.perSecond / messages.bare.perSecond);
      outbox.push(messages.outbox / messages.bare.perSecond);
      syncCpu.push(cpuRatio(messages.bare, messages.api));
      mainExtra.push(messages.api.mainThreadMsPerSend - messages.bare.mainThreadMsPerSend);
      allowed.push((1000 / messages.bare.perSecond) * (1 / GOALS.messagesRatio - 1));
      answerRatios.push(answerRatio(messages.bare, messages.api));
      turns.push(messages.api.turnMsPerSend);
      turnsBusy.push(messages.api.turnBusyMsPerSend);
      console.log(
        `round ${round + 1}: messages (simulations off, pacing off), bare Baileys awaiting each server ack ${messages.bare.perSecond.toFixed(1)}/s; ` +
          `through the API, synchronous (each answered 200 once the server acked it) ${messages.api.perSecond.toFixed(1)}/s; ` +
          `through the outbox ("async": true, until all delivered) ${messages.outbox.toFixed(1)}/s; ${cpuWords(messages.bare, messages.api)}`,
      );
    }
    for (const [round, messages] of apart.entries()) {
      external.push(messages.api.perSecond / messages.bare.perSecond);
      externalCpu.push(cpuRatio(messages.bare, messages.api));
      console.log(
        `round ${round + 1}, external simulator: bare Baileys ${messages.bare.perSecond.toFixed(1)}/s, wagate serve --wa-url synchronous ${messages.api.perSecond.toFixed(1)}/s, ${cpuWords(messages.bare, messages.api)}`,
      );
    }
    console.log(`synchronous sends / bare Baileys: ${spread(sync, atLeast)}`);
    console.log(`outbox sends / bare Baileys: ${spread(outbox)}`);
    console.log(`synchronous sends / bare Baileys, external simulator: ${spread(external, atLeast)}`);
    console.log(
      `bare Baileys' CPU per send / WaGate's with its client's (load-proof): in-process ${spread(syncCpu)}; external simulator ${spread(externalCpu)}`,
    );
    console.log(
      `in-process, WaGate's main thread per send beyond bare Baileys' (ms): ${spread(mainExtra)}; what 0.85 leaves a send beyond bare's (ms): ${spread(allowed)}`,
    );
    console.log(
      `in-process, synchronous sends / bare Baileys counted from each request's arrival to its 200 (without the client's turn): ${spread(answerRatios)}; the client's turn from a 200 to the next request's arrival (ms a send): ${spread(turns)}`,
    );
    // Bare Baileys keeps its keys in memory: no fsync at all. Each 200 waits for one, the key write's (NOTES: sendpath).
    const why =
      "bare Baileys keeps its keys in memory (no fsync); each 200 of WaGate waits for its key write's fsync, beside the round trip; both sides under wagate serve's heap policy, linked at once and taking turns; the API's client node:http over one keep-alive connection";
    const mainWords =
      median(mainExtra) > median(allowed)
        ? `; WaGate's own work on its main thread, ${median(mainExtra).toFixed(2)} ms a send, is more than the ${median(allowed).toFixed(2)} ms the goal leaves a send beyond bare's, before its client's turn and the disk`
        : '';
    const turnWords =
      median(sync) < GOALS.messagesRatio
        ? `; counted from each request's arrival to its 200, the ratio is ${median(answerRatios).toFixed(2)} (median): the rest is the client's turn from a 200 to its next request, ${median(turns).toFixed(2)} ms a send, which a bare Baileys loop does not have (WaGate's loop was busy ${median(turnsBusy).toFixed(2)} ms of it, with receipts and timers that a bare loop meets within its sends)`
        : '';
    goalLine(
      'sends >= 0.85x a fair bare Baileys in-process (median of 3)',
      median(sync) >= GOALS.messagesRatio,
      `median ${atLeast(median(sync))} (closest ${Math.max(...sync).toFixed(2)}; by CPU per send ${median(syncCpu).toFixed(2)}), each side's simulator in that side's process${mainWords}${turnWords}; ${why}`,
    );
    goalLine(
      'sends >= 0.6x bare Baileys with an external simulator (median of 3)',
      median(external) >= GOALS.externalMessagesRatio,
      `median ${atLeast(median(external))} (by CPU per send ${median(externalCpu).toFixed(2)}), each side with a \`wagate sandbox\` of its own; ${why}`,
    );
  }
  if (wanted('images')) {
    // One round: each image is ~1 MB uploaded and encrypted; a round of 12 already takes a while.
    const images = await benchImagesPerSecond(join(dir, 'images'));
    const mb = images.imageBytes / 1_000_000;
    const ratio = images.api / images.bare;
    console.log(
      `images (${images.images} JPEGs of ${mb.toFixed(2)} MB, simulations off, pacing off, one after the other): ` +
        `through POST /chats/{chat_jid}/media (JSON base64, each answered 200 once the server acked it) ${images.api.toFixed(2)} images/s, ${(images.api * mb).toFixed(2)} MB/s; ` +
        `bare Baileys sendMessage({ image }) awaiting each server ack ${images.bare.toFixed(2)} images/s, ${(images.bare * mb).toFixed(2)} MB/s; ratio ${ratio.toFixed(2)}`,
    );
    console.log(`goal image sends: none set (API / bare Baileys ${ratio.toFixed(2)}, one round)`);
  }
  if (wanted('backlog')) {
    const b = await benchBacklog(join(dir, 'backlog'));
    const ratio = b.lastPerSecond / b.firstPerSecond;
    console.log(
      `backlog: ${b.scheduled} messages scheduled an hour ahead to one chat, one after the other: ${b.window} accepted behind ${b.window} queued at ${b.firstPerSecond.toFixed(0)}/s, the last ${b.window} behind ${b.scheduled - b.window - 1} at ${b.lastPerSecond.toFixed(0)}/s`,
    );
    console.log(`goal scheduling behind a backlog: none set (last / first ${ratio.toFixed(2)})`);
  }
  if (wanted('memory')) {
    // A full bench, or --sends=10000, sends them all; `memory` alone reads 100/400/700 and says the goal is not measured.
    const full = only.size === 0 || sendsFlag !== null;
    const checkpoints = idleOnly ? [] : full ? fullCheckpoints(sendsFlag ?? GROWTH_SENDS) : MEMORY_CHECKPOINTS;
    const memory = await benchMemory(join(dir, 'memory'), checkpoints);
    const idle = memory.wagateIdle;
    const idleRatio = idle.rssMb / memory.bareIdleMb;
    console.log(
      `idle RSS, linked, simulator in another process: wagate serve ${idle.rssMb.toFixed(1)} MB (${idle.rssAfterGcMb.toFixed(1)} MB after a GC); bare Baileys ${memory.bareIdleMb.toFixed(1)} MB; ratio ${idleRatio.toFixed(2)}`,
    );
    goalLine(
      'idle RSS <= 1.0x a bare linked Baileys client',
      idleRatio <= GOALS.idleRatio,
      // NOTES.md (memory): module by module, what WaGate loads that the bare client does not.
      `ratio ${idleRatio.toFixed(2)}, both with ${NODE_FLAGS_WORDS}; wagate serve returns what its start and link left once settled (one low-memory collection, server/settled-collection.ts), which the bare client does not; WaGate's own objects and code in V8's heap beyond Baileys' (zod, its routes and contract schemas, the store, node:http's server; express only once the dashboard is opened; NOTES.md, tenth and twelfth waves): JS heap used after a GC ${idle.heapUsedAfterGcMb.toFixed(1)} MB against the bare client's ${memory.bareHeapUsedAfterGcMb.toFixed(1)} MB`,
    );
    const readings = [idle, ...memory.afterSends];
    console.log(
      `RSS of wagate serve after sends, MB as read / after a full GC (after it: JS heap used of total, external): ${readings.map(describeReading).join(', ')}`,
    );
    const last = memory.afterSends.at(-1);
    const settled = memory.idleAfterSends;
    if (!last || !settled) console.log('RSS growth over sends: not measured (--idle)');
    else {
      const grown = settled.rssAfterGcMb - idle.rssAfterGcMb;
      const grownAtOnce = last.rssAfterGcMb - idle.rssAfterGcMb;
      const grownAsRead = last.rssMb - idle.rssMb;
      const idleFor = `${IDLE_AFTER_SENDS_MS / 1000} s`;
      console.log(`RSS of wagate serve ${idleFor} after the last send (idle again): ${describeReading(settled)}`);
      // NOTES.md (growth): V8 keeps the pages its collections free until its memory reducer runs, once idle.
      const atOnce = `${grownAtOnce.toFixed(1)} MB after a GC right after the last send (${grownAsRead.toFixed(1)} MB as read: the high-water mark of V8's heap, whose freed pages it keeps until idle)`;
      if (last.sends >= GROWTH_SENDS) {
        goalLine(
          `RSS grows < ${GOALS.growthMb} MB over ${GROWTH_SENDS.toLocaleString('en')} sends`,
          grown < GOALS.growthMb,
          `measured over ${last.sends} sends: ${grown.toFixed(1)} MB after a GC once idle again (${idleFor} after the last send; the idle reading is settled too); ${atOnce}; JS heap used after a GC ${idle.heapUsedAfterGcMb.toFixed(1)} -> ${settled.heapUsedAfterGcMb.toFixed(1)} MB, the heap V8 keeps ${idle.heapTotalAfterGcMb.toFixed(1)} -> ${settled.heapTotalAfterGcMb.toFixed(1)} MB`,
        );
      } else {
        // No projection: right after the sends the heap is at its peak (V8 returns it once idle), so the slope
        // between two such readings says how high V8 let the heap grow, not what 10,000 sends would keep.
        goalLine(
          `RSS grows < ${GOALS.growthMb} MB over ${GROWTH_SENDS.toLocaleString('en')} sends`,
          false,
          `NOT MEASURED over ${GROWTH_SENDS} sends (run npm run bench -- memory --sends=${GROWTH_SENDS}): ${grown.toFixed(1)} MB after a GC once idle over ${last.sends} sends; ${atOnce}`,
        );
      }
    }
  }
  if (wanted('connections')) {
    const p99Of = (c: NewConnectionFigures) => c.probesMs[Math.ceil(c.probesMs.length * 0.99) - 1]!;
    const failures = (f: NewConnectionFigures) => Object.values(f.failed).reduce((sum, n) => sum + n, 0);
    const describe = (c: NewConnectionFigures) =>
      `${c.probesMs.length} new connections' first request median ${median(c.probesMs).toFixed(1)} ms, p99 ${p99Of(c).toFixed(1)} ms, max ${c.probesMs.at(-1)!.toFixed(1)} ms; event-loop delay meanwhile p99 ${c.loopP99Ms.toFixed(1)} ms, max ${c.loopMaxMs.toFixed(1)} ms (${c.rampLoopMaxMs.toFixed(1)} ms while the 50 clients connected, before the probes); the loop thread's CPU between two ticks of a 5 ms timer p99 ${c.turnCpuP99Ms.toFixed(1)} ms, max ${c.turnCpuMaxMs.toFixed(1)} ms (CPU time: a stall on a quiet machine, moves far less with load than the delay); the clients' requests that got no answer: ${failures(c) === 0 ? 'none' : JSON.stringify(c.failed)}`;
    const rounds: { c: NewConnectionFigures; control: NewConnectionFigures; bare: NewConnectionFigures }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const c = await benchNewConnections(join(dir, `connections-${round}`));
      // Both controls get the clients at WaGate's rate: at their own (~10x), the clients would take more of the cores.
      // The control: the same requests, refused before any commit.
      const control = await benchNewConnections(
        join(dir, `connections-control-${round}`),
        'rejected',
        c.sendsPerSecond,
      );
      // The floor: a server that does nothing but answer.
      const bare = await benchNewConnections(join(dir, `connections-bare-${round}`), 'bare', c.sendsPerSecond);
      rounds.push({ c, control, bare });
      console.log(
        `round ${round + 1}: new connections under 50 keep-alive clients sending (async, ${c.sendsPerSecond.toFixed(0)} accepted/s): ${describe(c)}`,
      );
      console.log(
        `round ${round + 1}: control, the same 50 clients at that rate with requests refused before any commit (${control.sendsPerSecond.toFixed(0)} answered/s): ${describe(control)}`,
      );
      console.log(
        `round ${round + 1}: bare node:http answering each request at once with a fixed envelope, the same 50 clients at that rate (${bare.sendsPerSecond.toFixed(0)} answered/s): ${describe(bare)}`,
      );
    }
    /** A server's rounds, as the goal reads them: the median p99 and longest stall, every round's requests answered. */
    const summed = (side: 'c' | 'control' | 'bare') => {
      const figures = rounds.map((r) => r[side]);
      const [p99s, stalls] = [figures.map(p99Of), figures.map((f) => f.loopMaxMs)];
      return {
        p99s,
        stalls,
        p99: median(p99s),
        stall: median(stalls),
        unanswered: figures.reduce((sum, f) => sum + failures(f), 0),
        turnCpuMax: Math.max(...figures.map((f) => f.turnCpuMaxMs)),
      };
    };
    const [c, control, bare] = [summed('c'), summed('control'), summed('bare')];
    for (const [name, side] of [
      ['WaGate', c],
      ['the control', control],
      ['bare node:http', bare],
    ] as const) {
      console.log(
        `new connections, ${name}: first request p99, ms: ${spread(side.p99s, 1)}; longest event-loop stall, ms: ${spread(side.stalls, 1)}`,
      );
    }
    // A client whose request got no answer at all was served worse than a slow one.
    const meets = (f: ReturnType<typeof summed>) =>
      f.p99 <= GOALS.newConnectionP99Ms && f.stall <= GOALS.loopStallMs && f.unanswered === 0;
    const met = meets(c);
    const reason = met
      ? ''
      : !meets(bare)
        ? ": a server doing none of WaGate's work misses it too under the same clients: this machine's cores, shared"
        : meets(control)
          ? ': the control meets it, so the commits and what follows them cost the difference'
          : ': the control misses it too and the bare server meets it, so the HTTP path costs the difference';
    goalLine(
      "a new connection's first request p99 <= 100 ms under 50 keep-alive clients, no event-loop stall over 50 ms (median of 3)",
      met,
      `p99 ${c.p99.toFixed(1)} ms, longest stall ${c.stall.toFixed(1)} ms (medians; the worst round's stall ${Math.max(...c.stalls).toFixed(1)} ms), requests with no answer in any round ${c.unanswered}; with no commit at all (the control, the clients at the same rate) p99 ${control.p99.toFixed(1)} ms, longest stall ${control.stall.toFixed(1)} ms (worst ${Math.max(...control.stalls).toFixed(1)}); a bare node:http server at the same rate p99 ${bare.p99.toFixed(1)} ms, longest stall ${bare.stall.toFixed(1)} ms (worst ${Math.max(...bare.stalls).toFixed(1)})${reason}; the loop thread's CPU between two timer ticks at most ${c.turnCpuMax.toFixed(1)} ms (control ${control.turnCpuMax.toFixed(1)} ms, bare ${bare.turnCpuMax.toFixed(1)} ms); at load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
// Baileys leaves timers behind after its socket ends; the figures are printed, so stop here.
process.exit(0);
