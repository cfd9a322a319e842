import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startSandboxCore, type TestCore } from '../support/core.ts';
import { eventually } from '../support/waits.ts';
import { DEFAULT_LIMITS } from '../../server/contract/limits.ts';
import { createAuthFailures } from '../../server/http/middleware/auth-failures.ts';
import { silentLogger } from '../../server/logger.ts';

/** What one client can take from the real core: wrong keys, and open event streams. */

function capturingLogger(): { logger: pino.Logger; lines: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines: () => lines.map((l) => JSON.parse(l)) };
}

test('a flood of wrong API keys gets 429 with Retry-After after the allowance, logged once; the right key still opens', async (t) => {
  const { logger, lines } = capturingLogger();
  const h = await startSandboxCore(t, { logger });
  const statuses: number[] = [];
  let last: Awaited<ReturnType<TestCore['call']>> | undefined;
  for (let i = 0; i < DEFAULT_LIMITS.authFailures + 30; i++) {
    last = await h.call('/session', { auth: `wg_wrong_${i}` });
    statuses.push(last.status);
    if (i % 10 === 0) assert.equal((await h.call('/session')).status, 200, `the right key after ${i} wrong ones`);
  }
  assert.deepEqual(
    statuses,
    [...Array(DEFAULT_LIMITS.authFailures).fill(401), ...Array(30).fill(429)],
    'the allowance, then 429',
  );
  assert.equal(last!.body.code, 429);
  assert.match(last!.body.error, /Too many wrong API keys/);
  const retryAfter = Number(last!.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${retryAfter}`);
  // Revoked and expired keys count as wrong too, and are refused the same way.
  const revoked = h.core.keys.create({ name: 'gone', expiresAt: null });
  h.core.keys.revoke(revoked.record.id);
  assert.equal((await h.call('/session', { auth: revoked.key })).status, 429);
  assert.equal((await h.call('/session')).status, 200, 'the right key is never locked out');
  const warnings = lines().filter((l) => String(l.msg).includes('too many wrong API keys'));
  assert.equal(warnings.length, 1, 'logged once, not once per refusal');
  assert.ok(!JSON.stringify(lines()).includes('wg_wrong_'), 'no wrong key in the log');
});

test('the window ends: the same client gets its allowance again', () => {
  let now = 0;
  const failures = createAuthFailures({ limit: 2, windowMs: 60_000, logger: silentLogger(), now: () => now });
  assert.deepEqual(
    [failures.record('a'), failures.record('a'), failures.record('a'), failures.record('b')],
    [null, null, 60, null],
  );
  now = 45_500;
  assert.equal(failures.record('a'), 15, 'Retry-After counts down to the end of the window');
  now = 60_000;
  assert.equal(failures.record('a'), null, 'a new window');
});

interface OpenStream {
  abort: AbortController;
  /** Held: undici closes the stream of a response that is garbage-collected. */
  res: Response;
}

/** Opens GET /events and answers its status; a 200 stays open in `streams` until aborted. */
async function openStream(h: TestCore, key: string, streams: OpenStream[]): Promise<number> {
  const abort = new AbortController();
  const res = await fetch(`${h.core.url}/events`, { headers: { authorization: key }, signal: abort.signal });
  if (res.status === 200) streams.push({ abort, res });
  else await res.text();
  return res.status;
}

test('open event streams are capped per key and in all, with a 429 that says so; a closed one frees its place', async (t) => {
  const h = await startSandboxCore(t, {
    config: { limits: { ...DEFAULT_LIMITS, eventStreamsPerCaller: 2, eventStreamsTotal: 3 } },
  });
  const other = h.core.keys.create({ name: 'other', expiresAt: null }).key;
  const streams: OpenStream[] = [];
  t.after(() => streams.forEach((s) => s.abort.abort()));
  assert.deepEqual([await openStream(h, h.key, streams), await openStream(h, h.key, streams)], [200, 200]);
  const perKey = await fetch(`${h.core.url}/events`, { headers: { authorization: h.key } });
  assert.equal(perKey.status, 429);
  assert.match((await perKey.json()).error, /already has 2 open event streams/);
  assert.equal(await openStream(h, other, streams), 200, 'another key has its own allowance');
  const total = await fetch(`${h.core.url}/events`, { headers: { authorization: other } });
  assert.equal(total.status, 429);
  assert.match((await total.json()).error, /already serves 3 open event streams/);
  streams.shift()!.abort.abort();
  await eventually(async () => (await openStream(h, other, streams)) === 200, 'a place freed by a closed stream');
});

test('the documented caps and allowance', () => {
  assert.deepEqual(
    {
      perCaller: DEFAULT_LIMITS.eventStreamsPerCaller,
      total: DEFAULT_LIMITS.eventStreamsTotal,
      failures: DEFAULT_LIMITS.authFailures,
      windowMs: DEFAULT_LIMITS.authFailureWindowMs,
    },
    { perCaller: 5, total: 50, failures: 20, windowMs: 60_000 },
  );
});
