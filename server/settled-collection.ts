import { eventLoopUtilization } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { SessionSnapshot, SessionState } from './contract/session.ts';
import type { CoreEvents } from './events.ts';
import type { Logger } from './logger.ts';

/** States the session stays in until someone acts (a scan, the phone, the user): the work that led there is done. */
const SETTLED: ReadonlySet<SessionState> = new Set(['qr', 'connected', 'logged_out', 'replaced']);

/** How often the event loop's utilization is read once settled; a stretch below QUIET counts as quiet. */
const CHECK_MS = 1_000;
const QUIET = 0.05;

/** One collection that leaves the heap as small as V8 can make it; it blocks the event loop while it runs. */
export type Collect = () => void;

interface GcOptions {
  type: 'major';
  execution: 'sync';
  flavor: 'last-resort';
}

/**
 * V8's collection for low memory (`CollectAllAvailableGarbage`: full collections until nothing more is freed, with
 * compaction, bytecode of idle functions flushed and free pages returned), the one a `gc` function asks for with
 * `flavor: 'last-resort'`. Only V8's gc extension offers it to JS: at each call it is installed in a new context for
 * its function (~1-2 ms, then garbage; none of it at start), and the process's own global `gc` stays as it was.
 */
export function lowMemoryCollection(): Collect {
  return () => gcFunction()({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

function gcFunction(): (options: GcOptions) => void {
  const exposed = (globalThis as { gc?: (options: GcOptions) => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options: GcOptions) => void;
  setFlagsFromString('--no-expose-gc');
  return gc;
}

export interface SettledCollectionDeps {
  events: CoreEvents;
  collect: Collect;
  logger: Logger;
  /** node:perf_hooks' `eventLoopUtilization`, or a stand-in in tests. */
  loopUtilization?: typeof eventLoopUtilization;
}

/**
 * What a start or a link leaves behind (modules loaded and compiled, Baileys' login, the first queries) is the
 * largest heap an idle process holds, and V8 keeps it: its memory reducer acts only after long quiet, if at all.
 * Once the session settles and the event loop has been quiet for a whole check, one low-memory collection returns
 * it (`wagate serve` linked and idle: 125 -> 111 MB; ~50 ms of the loop, taken when nothing is waiting; NOTES.md,
 * twelfth wave). Each change to a settled state arms it once (the same state told again does not); a change to any
 * other state disarms it. Returns the stop.
 */
export function collectWhenSettled(deps: SettledCollectionDeps): () => void {
  const { events, collect, logger } = deps;
  const loopUtilization = deps.loopUtilization ?? eventLoopUtilization;
  let timer: NodeJS.Timeout | null = null;

  const disarm = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };
  const runOnce = () => {
    disarm();
    const rss = process.memoryUsage.rss();
    const started = performance.now();
    collect();
    const ms = Math.round(performance.now() - started);
    logger.debug({ rssBefore: rss, rssAfter: process.memoryUsage.rss(), ms }, 'settled: returned what the start left');
  };
  const arm = () => {
    disarm();
    let last = loopUtilization();
    timer = setInterval(() => {
      const now = loopUtilization();
      const quiet = loopUtilization(now, last).utilization < QUIET;
      last = now;
      if (quiet) runOnce();
    }, CHECK_MS);
    timer.unref();
  };
  let previous: SessionState | null = null;
  const onState = ({ state }: SessionSnapshot) => {
    if (state === previous) return;
    previous = state;
    if (SETTLED.has(state)) arm();
    else disarm();
  };
  events.on('session.state', onState);
  return () => {
    disarm();
    events.off('session.state', onState);
  };
}
