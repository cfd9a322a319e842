import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import express from 'express';
import { openDatabase, type Database } from '../../server/store/database.ts';
import { createWebhookStore, type WebhookStore } from '../../server/webhooks/webhook-store.ts';
import { createAdminWebhooksRouter } from '../../server/http/routes/admin-webhooks.ts';
import { serveOperations } from '../../server/http/operations.ts';
import { errorHandler, notFound } from '../../server/http/middleware/errors.ts';
import { silentLogger } from '../../server/logger.ts';

let dir: string;
let db: Database;
let store: WebhookStore;
let server: Server;
let base: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wagate-admin-webhooks-'));
  db = openDatabase(join(dir, 'wagate.db'));
  store = createWebhookStore(db);
  const app = express();
  app.use('/admin', serveOperations([createAdminWebhooksRouter({ webhooks: store })]));
  app.use(notFound, errorHandler(silentLogger()));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/admin`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: any }> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(`${base}${path}`, init);
  return { status: res.status, body: await res.json() };
}

test('POST /webhooks answers 201 with the secret once; the list never shows it', async () => {
  const created = await call('/webhooks', 'POST', {
    url: 'http://127.0.0.1:3000/wagate',
    events: ['message.received'],
  });
  assert.equal(created.status, 201);
  const { webhook, secret } = created.body.data;
  assert.deepEqual(created.body, {
    status: true,
    code: 201,
    message: 'Webhook created: copy its signing secret now, it is not shown again',
    data: { webhook, secret },
  });
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.deepEqual(
    [webhook.url, webhook.events, webhook.status, webhook.pending_deliveries],
    ['http://127.0.0.1:3000/wagate', ['message.received'], 'active', 0],
  );
  assert.equal('secret' in webhook, false);

  const all = await call('/webhooks', 'POST', { url: 'https://example.com/hooks/wagate' });
  assert.deepEqual(
    all.body.data.webhook.events,
    [
      'message.received',
      'message.status',
      'message.reaction',
      'message.edited',
      'message.deleted',
      'poll.vote',
      'session.state',
    ],
    'no filter: every type',
  );

  const list = await call('/webhooks');
  assert.equal(list.status, 200);
  assert.deepEqual(
    list.body.data.map((w: { id: string }) => w.id),
    [webhook.id, all.body.data.webhook.id],
  );
  assert.equal(JSON.stringify(list.body).includes('whsec_'), false);
});

test('a bad webhook gets a specific 400, never a 500', async () => {
  const cases: Array<[unknown, RegExp]> = [
    [{}, /url is required/],
    [{ url: '' }, /url is required/],
    [{ url: 42 }, /url is required/],
    [{ url: 'not a url' }, /absolute http/],
    [{ url: 'ftp://127.0.0.1/x' }, /http:\/\/ or https:\/\//],
    [{ url: 'file:///etc/passwd' }, /http:\/\/ or https:\/\//],
    [{ url: 'http://user:pass@127.0.0.1/x' }, /user name or password/],
    [{ url: `http://127.0.0.1/${'x'.repeat(2100)}` }, /at most 2048/],
    [{ url: 'http://127.0.0.1/x', events: [] }, /at least one/],
    [{ url: 'http://127.0.0.1/x', events: 'message.received' }, /events must be a list/],
    [{ url: 'http://127.0.0.1/x', events: ['message.exploded'] }, /events may only hold/],
    ['[1]', /JSON object/],
  ];
  for (const [body, error] of cases) {
    const res = await call('/webhooks', 'POST', body);
    assert.equal(res.status, 400, JSON.stringify(body).slice(0, 60));
    assert.match(res.body.error, error, JSON.stringify(body).slice(0, 60));
  }
});

test('resume, deliveries and delete answer 404 for an unknown id; resume of an active webhook is a 409', async () => {
  for (const [path, method] of [
    ['/webhooks/wh_nope/resume', 'POST'],
    ['/webhooks/wh_nope/deliveries', 'GET'],
    ['/webhooks/wh_nope', 'DELETE'],
  ] as const) {
    const res = await call(path, method);
    assert.equal(res.status, 404, path);
    assert.equal(res.body.error, 'No webhook with this id');
  }
  const { webhook } = store.add({ url: 'http://localhost:9/x' });
  const res = await call(`/webhooks/${webhook.id}/resume`, 'POST');
  assert.equal(res.status, 409);
  assert.equal(res.body.error, 'Webhook is not paused');
});

test('a paused webhook is resumed; deliveries list its queue newest first; delete removes it', async () => {
  const { webhook } = store.add({ url: 'http://[::1]:9/x' });
  const now = Date.now();
  store.enqueue([
    { id: 1001, type: 'message.received', data: { n: 1 }, at: now },
    { id: 1002, type: 'message.status', data: { n: 2 }, at: now },
  ]);
  store.pause(webhook.id, 'failed 15 times in a row over 24 h');
  const paused = (await call('/webhooks')).body.data.find((w: { id: string }) => w.id === webhook.id);
  assert.deepEqual(
    [paused.status, paused.paused_reason, paused.pending_deliveries],
    ['paused', 'failed 15 times in a row over 24 h', 2],
  );

  const resumed = await call(`/webhooks/${webhook.id}/resume`, 'POST');
  assert.equal(resumed.status, 200);
  assert.equal(resumed.body.data.status, 'active');

  const deliveries = await call(`/webhooks/${webhook.id}/deliveries?limit=1`);
  assert.equal(deliveries.status, 200);
  assert.deepEqual(
    deliveries.body.data.map((d: { event_id: number; status: string }) => [d.event_id, d.status]),
    [[1002, 'pending']],
  );
  assert.equal('body' in deliveries.body.data[0], false);
  for (const limit of ['0', '201', 'ten', '1.5']) {
    assert.equal((await call(`/webhooks/${webhook.id}/deliveries?limit=${limit}`)).status, 400, limit);
  }

  const removed = await call(`/webhooks/${webhook.id}`, 'DELETE');
  assert.equal(removed.status, 200);
  assert.equal(store.get(webhook.id), null);
  assert.deepEqual(store.deliveries(webhook.id), [], 'its queue goes with it');
});
