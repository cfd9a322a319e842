import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { EventLoopUtilization, eventLoopUtilization } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { collectWhenSettled, lowMemoryCollection } from '../../server/settled-collection.ts';
import { createEventBus } from '../../server/events.ts';
import { silentLogger } from '../../server/logger.ts';
import type { SessionSnapshot, SessionState } from '../../server/contract/session.ts';
import { startWagate } from '../support/wagate-process.ts';
import { tempDir } from '../support/temp-dir.ts';
import { eventually } from '../support/waits.ts';

/** An event loop whose busy time per second the test sets: `second(ms)` lets one second pass with `ms` of work. */
function fakeLoop(t: TestContext) {
  t.mock.timers.enable({ apis: ['setInterval'] });
  let active = 0;
  let idle = 0;
  const read = (a?: EventLoopUtilization, b?: EventLoopUtilization): EventLoopUtilization => {
    if (!a || !b) return { active, idle, utilization: active / (active + idle || 1) };
    const busy = a.active - b.active;
    const quiet = a.idle - b.idle;
    return { active: busy, idle: quiet, utilization: busy / (busy + quiet) };
  };
  return {
    read: read as typeof eventLoopUtilization,
    second(busyMs: number) {
      active += busyMs;
      idle += 1_000 - busyMs;
      t.mock.timers.tick(1_000);
    },
  };
}

/** The collection watching a bus the test tells session states on; `collections()` counts what it ran. */
function watched(t: TestContext) {
  const loop = fakeLoop(t);
  const events = createEventBus();
  let collections = 0;
  const stop = collectWhenSettled({
    events,
    collect: () => collections++,
    logger: silentLogger(),
    loopUtilization: loop.read,
  });
  t.after(stop);
  const tell = (state: SessionState) => events.emit('session.state', { state } as SessionSnapshot);
  return { loop, tell, stop, collections: () => collections };
}

test('once the session is connected, the first quiet second runs one collection, and only one', (t) => {
  const w = watched(t);
  w.tell('starting');
  w.loop.second(0);
  assert.equal(w.collections(), 0, 'nothing while starting');
  w.tell('connected');
  w.loop.second(10);
  assert.equal(w.collections(), 1);
  w.loop.second(0);
  w.tell('connected');
  w.loop.second(0);
  assert.equal(w.collections(), 1, 'the same state told again does not arm it again');
});

test('busy seconds put it off until a quiet one', (t) => {
  const w = watched(t);
  w.tell('qr');
  w.loop.second(400);
  w.loop.second(60);
  assert.equal(w.collections(), 0);
  w.loop.second(20);
  assert.equal(w.collections(), 1);
});

test('a state that is not settled disarms it; settling again arms it again', (t) => {
  const w = watched(t);
  w.tell('connected');
  w.tell('reconnecting');
  w.loop.second(0);
  w.loop.second(0);
  assert.equal(w.collections(), 0, 'disarmed while reconnecting');
  w.tell('connected');
  w.loop.second(0);
  assert.equal(w.collections(), 1);
  w.tell('reconnecting');
  w.tell('connected');
  w.loop.second(0);
  assert.equal(w.collections(), 2, 'a reconnect settles again');
});

test('stopped, it runs nothing', (t) => {
  const w = watched(t);
  w.tell('connected');
  w.stop();
  w.loop.second(0);
  assert.equal(w.collections(), 0);
});

test('the low-memory collection frees what nothing reaches, without exposing gc to the process', async () => {
  const collect = lowMemoryCollection();
  const ref = new WeakRef({ payload: Buffer.alloc(1024) });
  // A WeakRef keeps its target until the end of the turn that made it.
  await nextTurn();
  collect();
  assert.equal(ref.deref(), undefined);
  assert.equal((globalThis as { gc?: unknown }).gc, undefined);
});

test('wagate serve, settled with a QR to show, returns memory and says so in its debug log', async (t) => {
  const { running } = await startWagate(
    ['serve', '--sandbox', '--port', '0', '--data-dir', tempDir(t)],
    [/^API: (\S+)$/m],
    20_000,
    { env: { WAGATE_LOG: 'debug', WAGATE_LOG_FORMAT: 'json' } },
  );
  t.after(() => running.stop());
  const line = await eventually(
    () =>
      running
        .errors()
        .split('\n')
        .find((l) => l.includes('settled: returned what the start left')),
    'the settled collection',
    30_000,
  );
  const { rssBefore, rssAfter } = JSON.parse(line) as { rssBefore: number; rssAfter: number };
  assert.ok(rssAfter < rssBefore, `RSS ${rssBefore} -> ${rssAfter}`);
});
