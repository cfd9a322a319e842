import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { sendFail, sendOk } from '../../server/http/envelope.ts';
import { errorHandler } from '../../server/http/middleware/errors.ts';
import { jsonBody } from '../../server/http/middleware/json-body.ts';
import { idempotency } from '../../server/http/middleware/idempotency.ts';
import { silentLogger } from '../../server/logger.ts';
import { createIdempotencyStore } from '../../server/store/idempotency.ts';
import { atEnd, type Scope } from '../support/scope.ts';
import { tempDatabase } from '../support/temp-database.ts';

/**
 * The Idempotency-Key middleware on a real store, in front of a handler that counts what it sends: fast enough to run
 * for every mutant of `npm run mutate`. The end-to-end tests (test/e2e/idempotency-*.test.ts) send through WhatsApp.
 */
async function startApp(scope: Scope) {
  const { db } = tempDatabase(scope);
  const store = createIdempotencyStore(db);
  const sent: string[] = [];
  let release: () => void = () => undefined;
  let held: () => void = () => undefined;
  const holding = new Promise<void>((resolve) => (held = resolve));
  const app = express();
  app.use(jsonBody());
  // Counts requests whose body is read: the middleware under test runs next, without waiting, up to its own awaits.
  let arrived = 0;
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  app.use((req, res, next) => {
    res.locals.callerId = req.get('x-caller') ?? 'key:1';
    arrived++;
    for (const w of waiting.filter((x) => x.count <= arrived)) w.resolve();
    next();
  });
  const hasArrived = (count: number) =>
    new Promise<void>((resolve) => (arrived >= count ? resolve() : waiting.push({ count, resolve })));
  app.post('/chats/:chat/messages', idempotency(store), async (req, res) => {
    if (req.body.hold) {
      const go = new Promise<void>((resolve) => (release = resolve));
      held();
      await go;
    }
    if (!req.body.text) return sendFail(res, 400, 'Text field is required');
    sent.push(req.body.text);
    sendOk(res, 'Message sent successfully', { message_id: `M${sent.length}` });
  });
  app.use(errorHandler(silentLogger()));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  atEnd(scope, () => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = async (body: unknown, headers: Record<string, string> = {}, chat = '1555') => {
    const res = await fetch(`${url}/chats/${chat}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, replayed: res.headers.get('idempotent-replayed'), body: (await res.json()) as any };
  };
  return { store, sent, post, holding, hasArrived, release: () => release() };
}

test('a repeat with the same key and body answers the first result, marked replayed, without sending again', async (t) => {
  const app = await startApp(t);
  const first = await app.post({ text: 'hi' }, { 'idempotency-key': 'k1' });
  assert.deepEqual([first.status, first.replayed], [200, null]);
  const again = await app.post({ text: 'hi' }, { 'idempotency-key': 'k1' });
  assert.deepEqual([again.status, again.replayed, again.body], [200, 'true', first.body]);
  assert.deepEqual(app.sent, ['hi']);
  const other = await app.post({ text: 'hi' }, { 'idempotency-key': 'k1' }, '1666');
  assert.equal(other.status, 422, 'another chat is another request');
  assert.match(other.body.error, /already used with a different request/);
});

test('the same key with another body is a 422; another caller with the same key sends', async (t) => {
  const app = await startApp(t);
  await app.post({ text: 'one' }, { 'idempotency-key': 'k2' });
  const mismatch = await app.post({ text: 'two' }, { 'idempotency-key': 'k2' });
  assert.deepEqual([mismatch.status, mismatch.body.code], [422, 422]);
  const otherCaller = await app.post({ text: 'one' }, { 'idempotency-key': 'k2', 'x-caller': 'key:2' });
  assert.deepEqual([otherCaller.status, otherCaller.replayed], [200, null]);
  assert.deepEqual(app.sent, ['one', 'one']);
  assert.deepEqual((await app.post({ text: 'no key' })).status, 200);
  assert.deepEqual((await app.post({ text: 'no key' })).status, 200);
  assert.deepEqual(app.sent, ['one', 'one', 'no key', 'no key'], 'without a key every request sends');
});

test('an answer that sent nothing frees the key; a key of the wrong shape is a 400', async (t) => {
  const app = await startApp(t);
  assert.equal((await app.post({ text: '' }, { 'idempotency-key': 'k3' })).status, 400);
  const retry = await app.post({ text: 'fixed' }, { 'idempotency-key': 'k3' });
  assert.deepEqual([retry.status, retry.replayed], [200, null]);
  for (const key of ['with space', 'x'.repeat(256), 'é']) {
    const res = await app.post({ text: 'x' }, { 'idempotency-key': key });
    assert.equal(res.status, 400, key.slice(0, 10));
    assert.match(res.body.error, /Idempotency-Key must be 1 to 255 printable ASCII characters/);
  }
  assert.equal((await app.post({ text: 'ok' }, { 'idempotency-key': '!'.repeat(255) })).status, 200);
});

test('a repeat while the first is in flight waits for it and answers the same; another body is a 422 at once', async (t) => {
  const app = await startApp(t);
  const first = app.post({ text: 'slow', hold: true }, { 'idempotency-key': 'k4' });
  await app.holding;
  const mismatch = await app.post({ text: 'other', hold: true }, { 'idempotency-key': 'k4' });
  assert.equal(mismatch.status, 422);
  const second = app.post({ text: 'slow', hold: true }, { 'idempotency-key': 'k4' });
  await app.hasArrived(3); // the second now waits for the first's answer
  await new Promise((resolve) => setImmediate(resolve));
  app.release();
  const [a, b] = await Promise.all([first, second]);
  assert.deepEqual([a.status, b.status, b.replayed, b.body], [200, 200, 'true', a.body]);
  assert.deepEqual(app.sent, ['slow']);
});

test('a claim left open by a crash answers 409 and sends nothing', async (t) => {
  const app = await startApp(t);
  const body = { text: 'crashed' };
  // What a process that died mid-send leaves: the claim of exactly this request, with no answer.
  const print = createHash('sha256')
    .update(`POST /chats/1555/messages\n${JSON.stringify(body)}`)
    .digest('hex');
  app.store.claim('key:1', 'k5', print);
  for (const attempt of ['retry', 'another retry']) {
    const res = await app.post(body, { 'idempotency-key': 'k5' });
    assert.equal(res.status, 409, attempt);
    assert.match(res.body.error, /interrupted; whether it was sent is unknown/);
  }
  assert.deepEqual(app.sent, []);
});
