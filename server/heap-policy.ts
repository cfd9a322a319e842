import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

/**
 * glibc gives each thread that allocates a malloc arena of its own and keeps what each ever held: V8's and libuv's
 * worker threads grew eight arenas from ~8 to ~16 MB over 1,200 sends; two arenas held the same work in ~4 MB
 * (npm run bench, memory).
 */
const MALLOC_ARENAS = '2';

/**
 * glibc returns the free memory at the top of its heap once it exceeds the trim threshold (128 KiB), but it raises
 * that threshold to twice the largest block it ever served with mmap and freed (up to 64 MiB): wagate serve's start-up
 * left its main heap at 23-24 MB resident for good, 10 MB with the thresholds fixed at their defaults. Idle RSS
 * 133-134 -> 126 MB; the same sends' CPU within noise (NOTES.md, growth).
 */
const MALLOC_TUNABLES = 'glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072';

/**
 * The environment a process that runs the core starts with: the caller's, with glibc's arena limit and thresholds
 * unless it sets them. glibc reads both once, when the process starts (bin/wagate.js re-executes itself with them);
 * other C libraries ignore them.
 */
export function coreEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? MALLOC_ARENAS,
    GLIBC_TUNABLES: env.GLIBC_TUNABLES ?? MALLOC_TUNABLES,
  };
}

/**
 * The young generation's semi-space, in MB. Baileys and the simulator allocate ~1.1 MB per send, so at V8's first
 * 1 MB a synchronous send scavenged 1.4 times, and a scavenge at 2 MB cost less than two at 1 MB: 300 sends of
 * `wagate serve --sandbox`, ~420 -> ~200 scavenges, ~0.3 ms less GC per send (the bare Baileys client saves as much),
 * idle RSS within 1 MB. 4 MB cost wagate serve 9 MB idle (ratio to bare 1.03); 8 MB, 16 MB on both sides for
 * ~0.55 ms a send (NOTES.md, young).
 */
const SEMI_SPACE_MB = 2;

/**
 * The Node flags a process that runs the core starts with (the command, re-executing itself, and the bench's
 * children). V8 sizes its young generation once, when the heap is created: only the command line does it (NODE_OPTIONS
 * refuses `--min-semi-space-size`, `setFlagsFromString` comes too late). A process started without them keeps the size
 * V8 starts with: so does Electron's utility process, whose heap exists before its `execArgv` are read.
 */
export const CORE_NODE_FLAGS = [`--min-semi-space-size=${SEMI_SPACE_MB}`];

/** Node 24's 64 KiB; the 8 KiB that Node used before it. */
const BUFFER_POOL_BYTES = 8 * 1024;

/** How often V8's memory reducer is given a sample of Node's C++ heap allocating (`letMemoryReducerSeeIdle`). */
const REDUCER_SAMPLE_MS = 10_000;

/**
 * V8 keeps every page a garbage collection frees (its page pool, resident) until a memory-reducing collection, so
 * without one a process's RSS is the high-water mark of its JS heap: 10,000 sends left 186 MB of pooled pages
 * (`--trace-gc`'s "pooled"). V8's memory reducer runs such a collection, incrementally, once the process's
 * allocation rate has been low for a while; in Node 24 (V8 13.6) it never did: `--trace-memory-reducer` printed
 * "high alloc" every 8 s, idle for minutes or not. V8's heap.cc also weighs the allocation rate of Node's C++ heap
 * (cppgc), which only node:vm allocates on, and a rate of exactly zero counts as the highest. A tiny script compiled
 * every few seconds gives that rate a sample above zero: the reducer then printed "low alloc" and returned the pool
 * ~20 s after the sends stopped (npm run bench, memory; NOTES.md, growth). Its collection only starts at a low
 * allocation rate, so a loaded process does not pay its pause (36 ms measured).
 */
function letMemoryReducerSeeIdle(): void {
  setInterval(() => new Script('0'), REDUCER_SAMPLE_MS).unref();
}

/**
 * How the processes that run the core use memory; called first thing by each (the command, the desktop app, and the
 * bench's bare Baileys client, which must run under the same policy).
 * - V8 doubles its young generation under allocation up to 2 × 16 MB and never gives it back, which was most of the
 *   core's idle memory and of its growth over many sends (npm run bench, memory). It stays at the size it starts with
 *   (`CORE_NODE_FLAGS`): the growth factor is the one young-generation flag V8 still honours once the heap exists.
 * - A small Buffer (`Buffer.from(text)`, a base64 decode) is a slice of a shared pool, and keeps the whole pool alive.
 *   Baileys keeps hundreds of small Buffers for minutes: each send's Signal key transaction (its read cache and
 *   writes) stays reachable from the timers created inside it (AsyncLocalStorage's context travels with every timer,
 *   e.g. the 5-minute expiry of its 512-message retry cache). With 64 KiB pools that pinned 5.6 MB after 1,200 sends
 *   for a few KB of keys; 8 KiB pools pin an eighth of it.
 * - V8's memory reducer must see the process idle to return the pages a collection freed (`letMemoryReducerSeeIdle`).
 */
export function applyHeapPolicy(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  Buffer.poolSize = BUFFER_POOL_BYTES;
  letMemoryReducerSeeIdle();
}
