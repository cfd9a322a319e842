import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ServerResponse } from 'node:http';
import pino from 'pino';
import { loadConfig, TypingConfigSchema } from '../../server/config.ts';
import { createEventBus } from '../../server/events.ts';
import { createHttpServer } from '../../server/http/http-server.ts';
import { createEventLog } from '../../server/store/event-log.ts';
import { createIdempotencyStore } from '../../server/store/idempotency.ts';
import { createWebhookDispatcher } from '../../server/webhooks/dispatcher.ts';
import { createWebhookStore } from '../../server/webhooks/webhook-store.ts';
import { newSecret, signedHeaders, verifySignature } from '../../server/webhooks/signature.ts';
import { typingDurationMs } from '../../server/whatsapp/typing.ts';
import { ALICE, jidOf } from '../support/contacts.ts';
import { tempDatabase } from '../support/temp-database.ts';
import { tempDir } from '../support/temp-dir.ts';
import { eventually } from '../support/waits.ts';
import { startReceiver } from '../support/webhook-receiver.ts';
import type { StoredMessage } from '../../server/contract/messages.ts';

/**
 * Every default the README promises, checked once against the words the README uses and against what the code does
 * with no option given: changing either alone fails here. Other tests override these values to run fast.
 */
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
function documented(phrase: string): void {
  assert.ok(README.includes(phrase), `README.md no longer says "${phrase}"`);
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

test('typing: 3.5 characters a second, held between 0.8 and 8 s, ±20 %', () => {
  documented('3.5 characters a second, 0.8–8 s, ±20 %');
  const defaults = TypingConfigSchema.parse({});
  assert.deepEqual(loadConfig({ dataDir: '/nonexistent/wagate' }).typing, defaults, 'what wagate serve uses');
  const middle = () => 0.5;
  assert.equal(typingDurationMs('x'.repeat(14), defaults, middle), 4 * SECOND, '14 characters at 3.5 a second');
  assert.equal(
    typingDurationMs('x'.repeat(14), defaults, () => 0),
    3.2 * SECOND,
    '20 % faster at most',
  );
  assert.equal(
    typingDurationMs('x'.repeat(14), defaults, () => 1),
    4.8 * SECOND,
    '20 % slower at most',
  );
  assert.equal(typingDurationMs('ok', defaults, middle), 0.8 * SECOND, 'never under 0.8 s');
  assert.equal(
    typingDurationMs('x'.repeat(4096), defaults, () => 1),
    8 * SECOND,
    'never over 8 s',
  );
});

test('--wa-url (a simulator instead of WhatsApp) is refused for anything but loopback', (t) => {
  documented('Both URLs are refused for anything but loopback');
  const dataDir = tempDir(t);
  for (const url of ['ws://127.0.0.1:7010/ws/chat', 'ws://localhost:7010/ws/chat', 'ws://[::1]:7010/ws/chat']) {
    assert.equal(loadConfig({ dataDir, waUrl: url }).waUrl, url);
  }
  for (const url of [
    'ws://192.168.1.5:7010/ws/chat',
    'wss://web.whatsapp.com/ws/chat',
    'ws://127.0.0.1.evil.example/ws/chat',
    'not a url',
  ]) {
    assert.throws(() => loadConfig({ dataDir, waUrl: url }), /must point at this machine/, url);
  }
});

test('an idle connection stays open for 60 s, and every answer says so', async (t) => {
  documented('an idle connection stays open for 60 s (every answer says `Keep-Alive: timeout=60`)');
  const limits = loadConfig({ dataDir: '/nonexistent/wagate' }).limits;
  const { server } = createHttpServer({ listener: (_req, res) => void res.end(), ServerResponse }, limits);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => (server.closeAllConnections(), server.close()));
  const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
  await res.text();
  assert.equal(res.headers.get('keep-alive'), 'timeout=60');
});

test('events stay replayable for 7 days', (t) => {
  documented('Events are kept 7 days');
  let clock = Date.UTC(2026, 0, 1);
  const { db } = tempDatabase(t);
  const bus = createEventBus();
  const log = createEventLog({ db, events: bus, now: () => clock });
  t.after(() => log.close());
  const received = (id: string): StoredMessage => ({
    message_id: id,
    chat_jid: jidOf(ALICE),
    chat_lid: null,
    direction: 'inbound',
    sender: jidOf(ALICE),
    text: id,
    quoted_message_id: null,
    timestamp: Math.floor(clock / 1000),
    status: 'received',
    kind: 'text',
  });
  const kept = () => log.since(0, 100).map((e) => (e.data as StoredMessage).message_id);
  bus.emit('message.received', received('FIRST'));
  clock += 7 * DAY - MINUTE;
  bus.emit('message.received', received('ALMOST-A-WEEK-LATER'));
  assert.deepEqual(kept(), ['FIRST', 'ALMOST-A-WEEK-LATER'], 'younger than 7 days: kept');
  clock += 2 * MINUTE;
  bus.emit('message.received', received('A-WEEK-LATER'));
  assert.deepEqual(kept(), ['ALMOST-A-WEEK-LATER', 'A-WEEK-LATER'], 'older than 7 days: gone');
});

test('an Idempotency-Key answers the first result for 24 h, then sends afresh', (t) => {
  documented('A repeat with the same key and body within 24 h answers the first result');
  let clock = Date.UTC(2026, 0, 1);
  const store = createIdempotencyStore(tempDatabase(t).db, () => clock);
  assert.deepEqual(store.claim('key:1', 'order-1', 'fingerprint'), { kind: 'new' });
  store.finish('key:1', 'order-1', 200, { sent: true });
  clock += DAY - MINUTE;
  assert.deepEqual(store.claim('key:1', 'order-1', 'fingerprint'), { kind: 'replay', code: 200, body: { sent: true } });
  clock += 2 * MINUTE;
  assert.deepEqual(store.claim('key:1', 'order-1', 'fingerprint'), { kind: 'new' });
});

test('a webhook signature older or newer than 5 minutes does not verify', () => {
  documented('refuse it if it is more than 5 minutes off');
  const now = 1_764_080_000;
  const body = '{"id":1}';
  const secret = newSecret();
  const signedAt = (ts: number) =>
    verifySignature(secret, body, signedHeaders(secret, 'dlv_1', ts, body), { now: now * SECOND });
  assert.equal(signedAt(now - 5 * 60), true);
  assert.equal(signedAt(now + 5 * 60), true);
  assert.equal(signedAt(now - 5 * 60 - 1), false);
  assert.equal(signedAt(now + 5 * 60 + 1), false);
});

/**
 * A webhook whose receiver always answers 500, on the dispatcher's defaults (no backoff, pause or age given: they are
 * what is under test). The clock is the test's: it moves to when a retry is due and the dispatcher is restarted to see
 * it, so days pass in milliseconds.
 */
async function failingWebhook(t: TestContext, start: number) {
  let clock = start;
  const jitter = { luck: 1 - 1e-9 }; // the jitter at its longest: the wait is then the whole backoff step
  const receiver = await startReceiver(0, () => 500);
  t.after(() => receiver.close());
  const { db } = tempDatabase(t);
  const bus = createEventBus();
  const log = createEventLog({ db, events: bus, now: () => clock });
  const store = createWebhookStore(db, () => clock);
  const dispatcher = createWebhookDispatcher({
    store,
    eventLog: log,
    logger: pino({ level: 'silent' }),
    now: () => clock,
    random: () => jitter.luck,
  });
  t.after(async () => {
    await dispatcher.stop();
    log.close();
  });
  const { webhook } = store.add({ url: receiver.url });
  dispatcher.start();
  bus.emit('session.state', {
    state: 'connected',
    account: null,
    qr: null,
    qr_expires_at: null,
    last_error: null,
    since: clock,
    reachout_timelock: null,
    message_capping: null,
    reconnects_today: 0,
    last_reconnect: null,
  });
  const delivery = () => store.deliveries(webhook.id)[0];
  // The record says next_attempt_at in whole seconds; the dispatcher reckons with the row's ms, read here exactly.
  const nextAttemptMs = () =>
    (
      db
        .prepare('SELECT next_attempt_at FROM webhook_deliveries WHERE webhook_id = ? ORDER BY event_id DESC LIMIT 1')
        .get(webhook.id) as {
        next_attempt_at: number;
      }
    ).next_attempt_at;
  return {
    jitter,
    delivery,
    status: () => store.get(webhook.id)!.status,
    failingSince: () => store.get(webhook.id)!.failing_since!,
    resume: () => store.resume(webhook.id),
    /** Waits for attempt `n` to be recorded, and answers how long the dispatcher waits before the next. */
    async failedAttempt(n: number): Promise<number> {
      await eventually(() => delivery()?.attempts === n, `attempt ${n}`);
      return nextAttemptMs() - clock;
    },
    /** Moves the clock to `at`, or on to when the next attempt is due, and restarts the dispatcher to see it. */
    async retryAt(at = 0): Promise<void> {
      clock = Math.max(clock, at, nextAttemptMs());
      await dispatcher.stop();
      dispatcher.start();
    },
  };
}

test('webhook retries wait 5 s, doubling, at most 1 h, with full jitter', async (t) => {
  documented('retried with exponential backoff and jitter (5 s, doubling, at most 1 h)');
  const hook = await failingWebhook(t, Date.UTC(2026, 0, 1));
  const waits: number[] = [];
  for (let n = 1; n <= 12; n++) {
    if (n > 1) await hook.retryAt();
    waits.push(Math.ceil((await hook.failedAttempt(n)) / SECOND));
  }
  assert.deepEqual(waits, [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600], 'seconds before each retry');
  hook.jitter.luck = 0.5;
  await hook.retryAt();
  assert.equal(await hook.failedAttempt(13), 30 * MINUTE, 'full jitter: anywhere up to the step (here half of it)');
});

test('a webhook failing for 24 h and at least 15 times in a row is paused; deliveries are given up after 7 days', async (t) => {
  documented('A webhook failing for 24 h (and at least 15 times in a row) is paused');
  documented('Deliveries not made within 7 days are given up');
  const start = Date.UTC(2026, 0, 1);
  const hook = await failingWebhook(t, start);
  for (let n = 1; n <= 15; n++) {
    if (n > 1) await hook.retryAt();
    await hook.failedAttempt(n);
  }
  assert.equal(hook.failingSince(), start / SECOND, 'in Unix seconds, as the API says it');
  assert.equal(hook.status(), 'active', '15 failures in under 24 h (about 5 h here) do not pause it');
  await hook.retryAt(start + DAY - MINUTE);
  await hook.failedAttempt(16);
  assert.equal(hook.status(), 'active', 'not yet 24 h');
  await hook.retryAt(start + DAY);
  await hook.failedAttempt(17);
  assert.equal(hook.status(), 'paused', '24 h and 17 failures in a row');

  await hook.retryAt(start + 7 * DAY - MINUTE); // paused: nothing is tried
  hook.resume(); // tried at once
  await hook.failedAttempt(18);
  assert.equal(hook.delivery()!.status, 'failed', 'younger than 7 days: still tried');
  await hook.retryAt(start + 7 * DAY + 2 * MINUTE);
  await eventually(() => hook.delivery()!.status === 'dead', 'the delivery given up after 7 days');
});

test('a webhook failing for more than 24 h but fewer than 15 times in a row is not paused', async (t) => {
  const start = Date.UTC(2026, 0, 1);
  const hook = await failingWebhook(t, start);
  await hook.failedAttempt(1);
  for (let n = 2; n <= 14; n++) {
    await hook.retryAt(start + DAY + n * MINUTE);
    await hook.failedAttempt(n);
  }
  assert.equal(hook.status(), 'active', '14 failures over more than a day');
  await hook.retryAt();
  await hook.failedAttempt(15);
  assert.equal(hook.status(), 'paused', 'the 15th');
});
