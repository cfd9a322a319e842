import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as nodeCrypto from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { createServer } from 'node:http';
import pino from 'pino';
import { openDatabase, type Database } from '../../server/store/database.ts';
import { createEventBus, type CoreEvents } from '../../server/events.ts';
import { createEventLog, type EventLog } from '../../server/store/event-log.ts';
import { createWebhookStore, type WebhookStore } from '../../server/webhooks/webhook-store.ts';
import {
  createWebhookDispatcher,
  type DispatcherDeps,
  type WebhookDispatcher,
} from '../../server/webhooks/dispatcher.ts';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { freePort, startReceiver, type Receiver } from '../support/webhook-receiver.ts';
import { eventually } from '../support/waits.ts';
import { signedHeaders } from '../../server/webhooks/signature.ts';
import { buildOpenApi } from '../../server/http/openapi.ts';
import type { StoredMessage } from '../../server/contract/messages.ts';

const FAST = { backoff: { baseMs: 20, capMs: 100 } };

interface World {
  db: Database;
  bus: CoreEvents;
  log: EventLog;
  store: WebhookStore;
  dispatcher: WebhookDispatcher;
  logLines: Array<Record<string, unknown>>;
}

let dir: string;
let file: string;
let world: World | null;
const receivers: Receiver[] = [];

/** The parts core.ts builds, on the test's database file. */
function open(options: Partial<DispatcherDeps> = {}, start = true): World {
  const logLines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const db = openDatabase(file);
  const bus = createEventBus();
  const now = options.now ?? Date.now;
  const log = createEventLog({ db, events: bus, now });
  const store = createWebhookStore(db, now);
  const dispatcher = createWebhookDispatcher({
    store,
    eventLog: log,
    logger: pino({ level: 'info' }, sink),
    ...FAST,
    ...options,
  });
  if (start) dispatcher.start();
  world = { db, bus, log, store, dispatcher, logLines };
  return world;
}

async function close(): Promise<void> {
  if (!world) return;
  await world.dispatcher.stop();
  world.log.close();
  world.db.close();
  world = null;
}

async function receiver(port?: number, answer?: Receiver['answer']): Promise<Receiver> {
  const r = await startReceiver(port, answer);
  receivers.push(r);
  return r;
}

function message(id: string): StoredMessage {
  return {
    message_id: id,
    chat_jid: '15550001111@s.whatsapp.net',
    chat_lid: null,
    direction: 'inbound',
    sender: '15550001111@s.whatsapp.net',
    text: `hi ${id}`,
    quoted_message_id: null,
    timestamp: 1_764_080_000,
    status: 'received',
    kind: 'text',
  };
}

/**
 * Emits one more event and waits for the receiver to get it. Deliveries to a webhook go one at a time in event order,
 * so whatever else was due to it (a repeat, an event it did not ask for) would have arrived first.
 */
async function flush(w: World, r: Receiver): Promise<void> {
  const marker = `FLUSH-${r.received.length}`;
  w.bus.emit('message.status', { message_id: marker, chat_jid: '15550001111@s.whatsapp.net', status: 'read', at: 9 });
  await eventually(() => r.received.some((x) => JSON.parse(x.body).data.message_id === marker), 'a later delivery');
  r.received.pop();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wagate-webhooks-'));
  file = join(dir, 'wagate.db');
});

afterEach(async () => {
  await close();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  rmSync(dir, { recursive: true, force: true });
});

test('a receiver gets the event, signed as Standard Webhooks (checked by its library), with its id and type', async () => {
  const r = await receiver();
  const w = open();
  const { webhook, secret } = w.store.add({ url: r.url });
  w.bus.emit('message.received', message('M1'));
  const [got] = await eventually(() => (r.received.length ? r.received : null), 'the delivery');
  const headers = got!.headers;
  const body = JSON.parse(got!.body);
  assert.deepEqual(new Webhook(secret).verify(got!.body, headers), body);
  for (const forged of [
    { ...headers, 'webhook-id': 'dlv_0000000000000000' },
    { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) - 1) },
  ]) {
    assert.throws(() => new Webhook(secret).verify(got!.body, forged), WebhookVerificationError);
  }
  assert.throws(
    () => new Webhook(secret).verify(got!.body.replace('hi M1', 'hi M2'), headers),
    WebhookVerificationError,
  );
  assert.equal(headers['wagate-event'], 'message.received');
  assert.equal(headers['content-type'], 'application/json');
  assert.match(headers['webhook-id']!, /^dlv_[0-9a-f]{16}$/);
  assert.ok(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000) < 60, 'the Unix seconds of the attempt');
  assert.deepEqual({ type: body.type, data: body.data }, { type: 'message.received', data: message('M1') });
  assert.equal(body.id, w.log.latestId());

  const delivery = await eventually(
    () => w.store.deliveries(webhook.id).find((d) => d.status === 'delivered'),
    'the log',
  );
  assert.equal(delivery.id, headers['webhook-id']);
  assert.equal(delivery.attempts, 1);
  assert.equal(delivery.last_status_code, 200);
});

/**
 * The README's receiver without a library, exactly as the README writes it, in a node process of its own listening on
 * `port`. `output()` is what it printed; it throws once the process has exited, so a wait on it ends at once.
 */
async function startReadmeReceiver(secret: string, port: number) {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const recipe = /Without a library, the same check in Node[^\n]*\n\n```js\n([\s\S]*?)\n```/.exec(readme)?.[1];
  assert.ok(recipe, "the README's receiver recipe");
  writeFileSync(join(dir, 'receiver.mjs'), recipe);
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules')); // its imports (express) as an npm project has them
  const child = spawn(process.execPath, ['receiver.mjs'], {
    cwd: dir,
    env: { ...process.env, WAGATE_WEBHOOK_SECRET: secret, PORT: String(port) },
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = once(child, 'exit');
  let done = false;
  void exited.then(() => (done = true));
  return {
    output(): string {
      if (done) throw new Error(`the README's receiver exited: ${out}`);
      return out;
    },
    async stop(): Promise<void> {
      if (!done) child.kill();
      await exited;
    },
  };
}

test("the README's receiver, run as written, accepts WaGate's deliveries and refuses a forged one", async (t) => {
  const port = await freePort();
  const w = open();
  const { webhook, secret } = w.store.add({ url: `http://127.0.0.1:${port}/wagate` });
  const readme = await startReadmeReceiver(secret, port);
  t.after(() => readme.stop());
  w.bus.emit('message.received', message('README1'));
  // Attempts before it listens are refused and retried: the first one it answers carries its verdict.
  const answered = await eventually(() => {
    readme.output();
    return w.store.deliveries(webhook.id).find((d) => d.last_status_code !== null);
  }, "the README receiver's answer");
  assert.equal(answered.last_status_code, 204, answered.last_error ?? '');
  const printed = await eventually(
    () => readme.output().includes(`${answered.id} message.received `) && readme.output(),
    'its log line: the webhook-id and the event',
  );
  assert.match(printed, /message_id: 'README1'/, 'the event it parsed');

  const forged = signedHeaders(secret, 'dlv_forged', Math.floor(Date.now() / 1000), '{"type":"message.received"}');
  const url = `http://127.0.0.1:${port}/wagate`;
  const post = (body: string) =>
    fetch(url, { method: 'POST', headers: { ...forged, 'content-type': 'application/json' }, body });
  assert.equal((await post('{"type":"message.received"}')).status, 204, 'signed as WaGate signs');
  assert.equal((await post('{"type":"message.received" }')).status, 401, 'one byte more than what was signed');
});

test("the /docs guide's verify function, run as written, takes a delivery and refuses a changed one", async () => {
  const r = await receiver();
  const w = open();
  const { secret } = w.store.add({ url: r.url });
  w.bus.emit('message.received', message('DOCS1'));
  const got = await eventually(() => r.received[0], 'the delivery');
  const guide = (buildOpenApi('0', 'http://127.0.0.1:7001', []) as { info: { description: string } }).info.description;
  const code = /```js\n([\s\S]*?)\n```/.exec(guide)?.[1];
  assert.ok(code, "the guide's verify function");
  type Verify = (secret: string, headers: Record<string, string>, rawBody: string) => boolean;
  // The guide calls node's crypto module `crypto`, as `import crypto from 'node:crypto'` names it.
  const verify = new Function('crypto', `${code}\nreturn verify;`)(nodeCrypto) as Verify;
  assert.equal(verify(secret, got.headers, got.body), true);
  assert.equal(verify(secret, got.headers, got.body.replace('DOCS1', 'DOCS2')), false, 'another body');
  assert.equal(verify(secret, { ...got.headers, 'webhook-id': 'dlv_0000000000000000' }, got.body), false, 'another id');
});

test('only the event types a webhook asked for reach it', async () => {
  const r = await receiver();
  const w = open();
  w.store.add({ url: r.url, events: ['message.status'] });
  w.bus.emit('message.received', message('SKIP'));
  w.bus.emit('message.status', { message_id: 'S1', chat_jid: '15550001111@s.whatsapp.net', status: 'read', at: 5 });
  await eventually(() => r.received.length === 1, 'the status delivery');
  await flush(w, r);
  assert.deepEqual(
    r.received.map((x) => x.headers['wagate-event']),
    ['message.status'],
  );
});

test('events logged while there is no webhook are not delivered to one added later; those after it are', async () => {
  let clock = 1_000;
  const r = await receiver();
  const w = open({ now: () => clock });
  for (const id of ['BEFORE-1', 'BEFORE-2']) {
    w.bus.emit('message.status', { message_id: id, chat_jid: '15550001111@s.whatsapp.net', status: 'read', at: 5 });
    clock += 10;
  }
  await new Promise((resolve) => setImmediate(resolve));
  w.store.add({ url: r.url, events: ['message.status'] });
  clock += 10;
  w.bus.emit('message.status', { message_id: 'AFTER', chat_jid: '15550001111@s.whatsapp.net', status: 'read', at: 5 });
  await eventually(() => r.received.length === 1, 'the delivery of the event after the webhook');
  await flush(w, r);
  assert.deepEqual(
    r.received.map((x) => JSON.parse(x.body).data.message_id),
    ['AFTER'],
  );
});

test('a receiver answering 500 gets retries with the same delivery id, and the events in order once it recovers', async () => {
  let failures = 3;
  const r = await receiver(0, () => (failures-- > 0 ? 500 : 204));
  const w = open();
  const { webhook, secret } = w.store.add({ url: r.url });
  w.bus.emit('message.received', message('O1'));
  w.bus.emit('message.received', message('O2'));
  await eventually(
    () => w.store.deliveries(webhook.id).every((d) => d.status === 'delivered') && r.received.length === 5,
    'both delivered',
  );

  const ids = r.received.map((x) => JSON.parse(x.body).data.message_id);
  assert.deepEqual(ids, ['O1', 'O1', 'O1', 'O1', 'O2'], 'O2 waits until O1 is through');
  const [second, first] = w.store.deliveries(webhook.id);
  assert.deepEqual(
    r.received.map((x) => x.headers['webhook-id']),
    [first!.id, first!.id, first!.id, first!.id, second!.id],
    "webhook-id: the same on every retry of a delivery, the receiver's idempotency key",
  );
  for (const x of r.received) assert.deepEqual(new Webhook(secret).verify(x.body, x.headers), JSON.parse(x.body));
  assert.deepEqual(
    [first!.status, first!.attempts, second!.status, second!.attempts],
    ['delivered', 4, 'delivered', 1],
  );
  assert.equal(w.store.get(webhook.id)!.consecutive_failures, 0);
});

test('a receiver that is not listening is retried with backoff and gets the delivery once when it is back', async () => {
  const port = await freePort();
  const w = open();
  const { webhook } = w.store.add({ url: `http://127.0.0.1:${port}/hook` });
  w.bus.emit('message.received', message('DOWN1'));
  const failed = await eventually(
    () => w.store.deliveries(webhook.id).find((d) => d.attempts >= 2),
    'two failed attempts',
  );
  assert.equal(failed.status, 'failed');
  assert.match(failed.last_error!, /ECONNREFUSED/);
  assert.equal(w.store.get(webhook.id)!.status, 'active');

  const r = await receiver(port);
  await eventually(() => w.store.deliveries(webhook.id)[0]!.status === 'delivered', 'the delivery');
  await flush(w, r);
  assert.equal(r.received.length, 1, 'delivered once');
});

test('the queue survives a restart: a pending delivery is sent once after reopening', async () => {
  const port = await freePort();
  let w = open({ backoff: { baseMs: 60_000, capMs: 60_000 }, random: () => 0.999 });
  const { webhook, secret } = w.store.add({ url: `http://127.0.0.1:${port}/hook` });
  w.bus.emit('message.received', message('KEEP'));
  await eventually(() => w.store.deliveries(webhook.id)[0]?.status === 'failed', 'a failed attempt');
  await close();

  const r = await receiver(port);
  // The retry was due in a minute: a restart later, it is due at once.
  w = open({ now: () => Date.now() + 120_000 });
  await eventually(() => w.store.deliveries(webhook.id)[0]!.status === 'delivered', 'the delivery after the restart');
  await flush(w, r);
  assert.equal(r.received.length, 1);
  const got = r.received[0]!;
  assert.equal(JSON.parse(got.body).data.message_id, 'KEEP');
  assert.ok(
    Number(got.headers['webhook-timestamp']) >= Date.now() / 1000 + 100,
    "the retry's own time, not the first's",
  );
  assert.deepEqual(new Webhook(secret).verify(got.body, got.headers), JSON.parse(got.body), 'within the 5 minutes');
  assert.equal(w.store.deliveries(webhook.id).at(-1)!.attempts, 2, 'the first, refused attempt and this one');
});

test('an event logged just before a crash, with no delivery queued yet, is delivered after the restart', async () => {
  const r = await receiver();
  const w = open({}, false);
  w.store.add({ url: r.url });
  w.bus.emit('message.received', message('CRASH'));
  await close();
  assert.equal(r.received.length, 0);

  open();
  await eventually(() => r.received.length === 1, 'the delivery');
  assert.equal(JSON.parse(r.received[0]!.body).data.message_id, 'CRASH');
  // A restart while the answer is on its way: stop() lets the attempt finish and records it.
  await close();
  await flush(open(), r);
  assert.equal(r.received.length, 1, 'not again after another restart');
});

test('a webhook failing for long is paused, told in the log, and resumed from where it stopped', async () => {
  let offset = 0;
  let status = 500;
  const r = await receiver(0, () => status);
  const w = open({ now: () => Date.now() + offset, pauseAfter: { attempts: 3, ms: 60 * 60 * 1000 } });
  const { webhook } = w.store.add({ url: r.url });
  w.bus.emit('message.received', message('P1'));
  await eventually(() => w.store.get(webhook.id)!.consecutive_failures >= 5, '5 failures');
  assert.equal(w.store.get(webhook.id)!.status, 'active', 'many attempts in a short time do not pause it');

  offset = 2 * 60 * 60 * 1000;
  const paused = await eventually(
    () => (w.store.get(webhook.id)!.status === 'paused' ? w.store.get(webhook.id) : null),
    'the pause',
  );
  assert.match(paused.paused_reason!, /failed \d+ times in a row over 2 h/);
  // Handed out in Unix seconds (the one time rule), though the store reckons in ms.
  const nowSeconds = (Date.now() + offset) / 1000;
  assert.ok(
    Number.isInteger(paused.paused_at) && Math.abs(paused.paused_at! - nowSeconds) < 60,
    'paused_at in seconds',
  );
  assert.ok(Math.abs(paused.failing_since! - (nowSeconds - 2 * 60 * 60)) < 60, 'failing_since in seconds');
  assert.ok(Math.abs(paused.created_at - (nowSeconds - 2 * 60 * 60)) < 60, 'created_at in seconds');
  const [failed] = w.store.deliveries(webhook.id);
  assert.ok(Number.isInteger(failed!.created_at) && Math.abs(failed!.created_at - (nowSeconds - 2 * 60 * 60)) < 60);
  const line = w.logLines.find((l) => l.msg === 'webhook paused');
  assert.ok(line, 'a log line says so');
  assert.equal(line.webhook, webhook.id);
  assert.equal(JSON.stringify(w.logLines).includes('whsec_'), false, 'the secret is never logged');

  const attempts = r.received.length;
  w.bus.emit('message.received', message('P2'));
  await eventually(() => w.store.get(webhook.id)!.pending_deliveries === 2, 'the new event kept for it');

  status = 200;
  const resumed = w.store.resume(webhook.id)!;
  assert.deepEqual([resumed.status, resumed.paused_reason, resumed.consecutive_failures], ['active', null, 0]);
  await eventually(() => r.received.filter((x) => x.answered === 200).length === 2, 'both delivered after resume');
  assert.deepEqual(
    r.received.filter((x) => x.answered === 200).map((x) => JSON.parse(x.body).data.message_id),
    ['P1', 'P2'],
  );
  // Until the resume the receiver answered 500: anything sent while paused would be one more of those.
  assert.equal(r.received.filter((x) => x.answered === 500).length, attempts, 'nothing was sent while paused');
});

test('a delivery that could not be sent within the maximum age is given up', async () => {
  let offset = 0;
  const port = await freePort();
  const w = open({ now: () => Date.now() + offset, maxAgeMs: 60 * 60 * 1000 });
  const { webhook } = w.store.add({ url: `http://127.0.0.1:${port}/hook` });
  w.bus.emit('message.received', message('OLD'));
  await eventually(() => w.store.deliveries(webhook.id)[0]?.status === 'failed', 'a failed attempt');
  await close();
  offset = 90 * 60 * 1000;
  const again = open({ now: () => Date.now() + offset, maxAgeMs: 60 * 60 * 1000 });
  const dead = await eventually(() => again.store.deliveries(webhook.id).find((d) => d.status === 'dead'), 'dead');
  assert.equal(dead.next_attempt_at, null);
  assert.ok(again.logLines.some((l) => l.msg === 'webhook deliveries given up: not delivered in time'));
});

test('a receiver that does not answer in time has failed the attempt; stop() does not wait for one', async () => {
  let requests = 0;
  let secondAttempt: () => void;
  const secondArrived = new Promise<void>((resolve) => (secondAttempt = resolve));
  const hanging = createServer(() => {
    if (++requests === 2) secondAttempt();
  });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  try {
    // A second is long enough that the stop below comes before the hanging second attempt times out, however busy the machine.
    const w = open({ timeoutMs: 1000, backoff: { baseMs: 10, capMs: 10 }, stopGraceMs: 20 });
    const { webhook } = w.store.add({ url: `http://127.0.0.1:${(hanging.address() as { port: number }).port}/` });
    w.bus.emit('message.received', message('SLOW'));
    const d = await eventually(() => w.store.deliveries(webhook.id).find((x) => x.last_error), 'a timeout');
    assert.equal(d.status, 'failed');
    assert.match(d.last_error!, /no answer within 1 s/);
    // The next attempt hangs now; stopping cuts it short without counting it.
    await secondArrived; // at once, not polled

    await close();
    const check = openDatabase(file);
    const [after] = createWebhookStore(check).deliveries(webhook.id);
    check.close();
    assert.deepEqual([after!.status, after!.attempts], ['failed', 1], 'the attempt cut short is not counted');
  } finally {
    hanging.closeAllConnections();
    await new Promise((resolve) => hanging.close(resolve));
  }
});
