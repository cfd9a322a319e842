import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import express from 'express';
import { startSandboxCore, postJson, type TestCore } from '../support/core.ts';
import { eventually } from '../support/waits.ts';
import { createEventBus } from '../../server/events.ts';
import { createAdminEventsRouter } from '../../server/http/routes/admin-events.ts';
import type { StoredMessage } from '../../server/contract/messages.ts';
import type { SessionSnapshot } from '../../server/contract/session.ts';

let h: TestCore;
let cookie: string;

before(async (t) => {
  h = await startSandboxCore(t);
  cookie = `wagate_admin=${h.core.admin.createSession()}`;
});

/** The dashboard's calls: the admin cookie, no API key, and the browser's same-origin marker on writes. */
function admin(path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set('cookie', cookie);
  if (!headers.has('sec-fetch-site')) headers.set('sec-fetch-site', 'same-origin');
  return h.call(path, { ...init, headers, auth: false });
}

/** Reads server-sent events until `until` is satisfied or the timeout passes. */
async function readEvents(
  url: string,
  headers: Record<string, string>,
  until: (frames: string[]) => boolean,
  act: () => void,
  timeoutMs = 5000,
) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const res = await fetch(url, { headers, signal: controller.signal });
  const frames: string[] = [];
  let buffer = '';
  let acted = false;
  try {
    const decoder = new TextDecoder();
    const reader = res.body!.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      buffer += decoder.decode(read.value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        frames.push(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
      if (!acted) {
        acted = true;
        act();
      }
      if (until(frames)) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { status: res.status, type: res.headers.get('content-type'), frames };
}

test('admin endpoints answer only the dashboard session, never an API key', async () => {
  for (const path of ['/admin/keys', '/admin/messages', '/admin/events']) {
    const withKey = await h.call(path);
    assert.equal(withKey.status, 401, `${path} with an API key`);
    assert.equal(withKey.body.status, false);
    const anonymous = await h.call(path, { auth: false });
    assert.equal(anonymous.status, 401, `${path} without anything`);
  }
  const crossSite = await admin('/admin/keys', postJson({ name: 'csrf' }, { 'sec-fetch-site': 'cross-site' }));
  assert.equal(crossSite.status, 401);
  assert.ok(!(await admin('/admin/keys')).body.data.some((k: { name: string }) => k.name === 'csrf'));
});

test('a key is created once in the clear, listed without it, and revoked', async () => {
  let changes = 0;
  const onChange = () => changes++;
  h.core.events.on('keys.changed', onChange);
  try {
    const created = await admin('/admin/keys', postJson({ name: '  Shop  ', expires_in_days: 30 }));
    assert.equal(created.status, 201);
    const { key, record } = created.body.data;
    assert.deepEqual(created.body, {
      status: true,
      code: 201,
      message: 'API key created: copy it now, it is not shown again',
      data: { key, record },
    });
    assert.match(key, /^wg_[0-9a-f]{8}_/);
    assert.equal(record.name, 'Shop');
    assert.equal(record.status, 'active');
    assert.ok(Math.abs(record.expires_at - (Date.now() / 1000 + 30 * 86_400)) < 60, 'Unix seconds');
    assert.equal(changes, 1);

    const listed = await admin('/admin/keys');
    assert.equal(listed.status, 200);
    assert.ok(!JSON.stringify(listed.body).includes(key.split('_').slice(2).join('_')), 'the list never carries a key');
    assert.deepEqual(
      listed.body.data.find((k: { id: string }) => k.id === record.id),
      record,
    );

    assert.equal((await h.call('/session', { auth: key })).status, 200);
    assert.equal(changes, 2, 'its first use moves "last used", and the list hears of it');

    const revoked = await admin(`/admin/keys/${record.id}`, { method: 'DELETE' });
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body.data.status, 'revoked');
    assert.equal(changes, 3);
    const refused = await h.call('/session', { auth: key });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, 'API key revoked');
  } finally {
    h.core.events.off('keys.changed', onChange);
  }
});

test('bad key requests get a specific 4xx in the envelope', async () => {
  const cases: [RequestInit, number, string][] = [
    [postJson({}), 400, 'Name is required'],
    [postJson({ name: '   ' }), 400, 'Name is required'],
    [postJson({ name: 'x'.repeat(65) }), 400, 'Name must be at most 64 characters'],
    [postJson({ name: 'ok', expires_in_days: 0 }), 400, 'expires_in_days must be from 1 to 3650'],
    [postJson({ name: 'ok', expires_in_days: 1.5 }), 400, 'expires_in_days must be a whole number of days'],
    [postJson({ name: 'ok', expires_in_days: '30' }), 400, 'expires_in_days must be a whole number of days'],
    [postJson('{"name":'), 400, 'Malformed JSON body'],
  ];
  for (const [init, code, error] of cases) {
    const res = await admin('/admin/keys', init);
    assert.equal(res.status, code, String(init.body));
    assert.deepEqual(res.body, { status: false, code, message: 'Bad request', error });
  }
  const unknown = await admin('/admin/keys/deadbeef', { method: 'DELETE' });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error, 'No API key with this id');
});

test('recent messages come newest first, with a bounded limit', async () => {
  const base = {
    chat_jid: '15550001111@s.whatsapp.net',
    chat_lid: null,
    direction: 'outbound',
    sender: 'me',
    quoted_message_id: null,
    status: 'sent',
    kind: 'text',
  } as const;
  const stored: StoredMessage[] = [1, 2, 3].map((n) => ({
    ...base,
    message_id: `ADMIN-RECENT-${n}`,
    text: `m${n}`,
    timestamp: 1_800_000_000 + n,
  }));
  for (const m of stored) h.core.messages.insert(m);
  const two = await admin('/admin/messages?limit=2');
  assert.equal(two.status, 200);
  assert.deepEqual(
    two.body.data.map((m: StoredMessage) => m.message_id),
    ['ADMIN-RECENT-3', 'ADMIN-RECENT-2'],
  );
  assert.ok((await admin('/admin/messages')).body.data.length >= 3);
  for (const bad of ['0', '101', 'ten', '2.5']) {
    const res = await admin(`/admin/messages?limit=${bad}`);
    assert.equal(res.status, 400, bad);
    assert.equal(res.body.error, 'limit must be a whole number from 1 to 100');
  }
});

test('the event stream forwards the bus to the dashboard and lets go of it on close', async () => {
  const listening = () => h.core.events.listenerCount('keys.changed') + h.core.events.listenerCount('message.status');
  const before = listening();
  const snapshot: SessionSnapshot = {
    state: 'reconnecting',
    qr: null,
    qr_expires_at: null,
    account: null,
    reconnects_today: 0,
    last_reconnect: null,
    last_error: 'test',
    since: Math.floor(Date.now() / 1000),
    reachout_timelock: null,
    message_capping: null,
  };
  const seen = await readEvents(
    `${h.core.url}/admin/events`,
    { cookie },
    (frames) => frames.some((f) => f.startsWith('event: message.status')),
    () => {
      h.core.events.emit('keys.changed');
      h.core.events.emit('session.state', snapshot);
      h.core.events.emit('message.status', { message_id: 'X', chat_jid: 'c@s.whatsapp.net', status: 'read', at: 1 });
    },
  );
  assert.equal(seen.status, 200);
  assert.match(seen.type!, /^text\/event-stream/);
  assert.equal(seen.frames[0], 'retry: 2000');
  assert.ok(seen.frames.includes('event: keys.changed\ndata: null'));
  assert.ok(seen.frames.includes(`event: session.state\ndata: ${JSON.stringify(snapshot)}`));
  assert.ok(
    seen.frames.includes(
      'event: message.status\ndata: {"message_id":"X","chat_jid":"c@s.whatsapp.net","status":"read","at":1}',
    ),
  );
  await eventually(() => listening() === before, 'the listeners to be removed when the page goes away', 3000);
});

test('the event stream sends a heartbeat comment while nothing happens', async () => {
  const app = express().use(createAdminEventsRouter({ events: createEventBus(), heartbeatMs: 50 }));
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/events`;
    const seen = await readEvents(
      url,
      {},
      (frames) => frames.includes(': heartbeat'),
      () => {},
    );
    assert.ok(seen.frames.includes(': heartbeat'));
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('signing out of the dashboard ends the session: its cookie opens nothing any more', async () => {
  const own = `wagate_admin=${h.core.admin.createSession()}`;
  const headers = { cookie: own, 'sec-fetch-site': 'same-origin' };
  assert.equal((await fetch(`${h.core.url}/admin/me`, { headers })).status, 200);
  const out = await fetch(`${h.core.url}/admin/logout`, { method: 'POST', headers });
  assert.equal(out.status, 200);
  assert.match(out.headers.get('set-cookie') ?? '', /wagate_admin=;/);
  assert.equal((await fetch(`${h.core.url}/admin/me`, { headers })).status, 401);
  assert.equal((await fetch(`${h.core.url}/admin/keys`, { headers })).status, 401);
  const crossSite = await fetch(`${h.core.url}/admin/logout`, {
    method: 'POST',
    headers: { cookie, 'sec-fetch-site': 'cross-site' },
  });
  assert.equal(crossSite.status, 401, 'another site cannot sign the user out');
  assert.equal((await admin('/admin/me')).status, 200, 'other sessions stay signed in');
});

test("GET /health's admin view says who keeps the credentials' key; the open view and an API key do not see it", async () => {
  const open = await h.call('/health', { auth: false });
  assert.equal(open.status, 200);
  assert.equal(open.body.data.credentials, undefined);
  assert.equal((await h.call('/health')).body.data.credentials, undefined, 'an API key is not the admin');
  const asAdmin = await admin('/health');
  assert.deepEqual(asAdmin.body.data.credentials, { kept_by: 'folder_permissions', keyring: null });
});
