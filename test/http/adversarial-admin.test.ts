import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type ClientRequest } from 'node:http';
import { startSandboxCore, postJson, type TestCore } from '../support/core.ts';
import { eventually } from '../support/waits.ts';

/**
 * The dashboard's admin session against the real core: cookies that are odd or tossed, cross-site writes, the
 * login link, the two event streams under bad cursors and many clients, and bad bodies on the admin endpoints.
 */
let h: TestCore;
let session: string;
let cookie: string;
/** The core's own bus listeners, before any event stream: what is left once every stream has let go. */
let baseline: number;
before(async (t) => {
  h = await startSandboxCore(t);
  session = h.core.admin.createSession();
  cookie = `wagate_admin=${session}`;
  baseline = listeners();
});

/** The bus listeners of the events an /admin/events stream follows. */
const listeners = () =>
  (['session.state', 'message.status', 'message.received', 'keys.changed', 'webhooks.changed'] as const).reduce(
    (n, e) => n + h.core.events.listenerCount(e),
    0,
  );

/** A request as a browser tab of the dashboard would make it (cookie, no key), with `headers` on top. */
function asDashboard(path: string, init: RequestInit = {}, headers: Record<string, string> = {}) {
  const all = new Headers(init.headers);
  all.set('cookie', cookie);
  for (const [k, v] of Object.entries(headers)) all.set(k, v);
  return h.call(path, { ...init, headers: all, auth: false });
}

function assertFail(res: { status: number; body: any }, status: number, error?: RegExp, what = ''): void {
  assert.equal(res.status, status, `${what} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
  assert.equal(res.body.status, false, what);
  assert.equal(res.body.code, status, what);
  if (error) assert.match(res.body.error, error, what);
}

test('a malformed admin cookie is a 401, not a 500', async () => {
  for (const value of ['%', '%E0%A4%A', '%zz', 'abc%']) {
    const bad = `wagate_admin=${value}`;
    for (const path of ['/admin/me', '/admin/keys', '/session', '/events']) {
      const res = await h.call(path, { auth: false, headers: { cookie: bad } });
      assertFail(res, 401, undefined, `${path} with cookie ${bad}`);
    }
  }
});

test('an odd cookie header never opens anything and never fails', async () => {
  const odd = [
    '',
    ';;;',
    'wagate_admin',
    'wagate_admin=',
    `wagate_admin=${session}x`,
    `WAGATE_ADMIN=${session}`,
    `wagate_admin =${session}x`,
    `x=${'y'.repeat(7000)}`,
    `wagate_admin="${session}"`,
  ];
  for (const value of odd)
    assertFail(
      await h.call('/admin/keys', { auth: false, headers: { cookie: value } }),
      401,
      /Dashboard login required/,
      value.slice(0, 30),
    );
  // Other cookies around it, as a browser sends them for localhost, do not matter.
  assert.equal(
    (await h.call('/admin/keys', { auth: false, headers: { cookie: `a=1; ${cookie}; b=%zz` } })).status,
    200,
  );
  assert.equal((await h.call('/admin/keys', { auth: false, headers: { cookie: ` ${cookie} ` } })).status, 200);
});

test('a second wagate_admin cookie does not lock the dashboard out', async () => {
  const res = await h.call('/admin/keys', { auth: false, headers: { cookie: `wagate_admin=junk; ${cookie}` } });
  assert.equal(res.status, 200);
});

test('admin writes with the cookie: anything but same-origin is refused, and changes nothing', async () => {
  const host = new URL(h.core.url).host;
  const refused: Array<Record<string, string>> = [
    { 'sec-fetch-site': 'cross-site' },
    { 'sec-fetch-site': 'same-site' },
    { 'sec-fetch-site': 'SAME-ORIGIN' },
    { 'sec-fetch-site': '' },
    { origin: 'http://evil.example' },
    { origin: 'null' },
    { origin: `http://localhost:${Number(new URL(h.core.url).port) + 1}` },
    { origin: `https://${host}` },
    { origin: `http://${host}.evil.example` },
    { origin: `http://${host}`, 'sec-fetch-site': 'cross-site' },
    // No Origin: the Referer says where the write comes from, and nothing at all is no better.
    { referer: 'http://evil.com/' },
    { referer: `http://${host}.evil.example/` },
    { referer: `http://evil.com/?next=http://${host}/` },
    { referer: 'not a url' },
    { origin: 'http://evil.com', referer: `http://${host}/` },
    {},
  ];
  const before = (await asDashboard('/admin/keys')).body.data.length;
  for (const headers of refused) {
    const what = JSON.stringify(headers);
    assertFail(
      await asDashboard('/admin/keys', postJson({ name: 'csrf' }), headers),
      401,
      undefined,
      `create key ${what}`,
    );
    assertFail(
      await asDashboard('/admin/webhooks', postJson({ url: 'http://127.0.0.1:9/x' }), headers),
      401,
      undefined,
      `add webhook ${what}`,
    );
    assertFail(
      await asDashboard(`/admin/keys/${h.core.keys.list()[0]!.id}`, { method: 'DELETE' }, headers),
      401,
      undefined,
      `revoke ${what}`,
    );
    assertFail(await asDashboard('/session/logout', { method: 'POST' }, headers), 401, undefined, `logout ${what}`);
    assertFail(
      await asDashboard('/sandbox/phone/unlink', { method: 'POST' }, headers),
      401,
      undefined,
      `sandbox ${what}`,
    );
    assertFail(
      await asDashboard('/chats/15550001111/messages', postJson({ text: 'csrf' }), headers),
      401,
      undefined,
      `send ${what}`,
    );
  }
  assert.equal((await asDashboard('/admin/keys')).body.data.length, before, 'no key was made');
  assert.deepEqual((await asDashboard('/admin/webhooks')).body.data, [], 'no webhook was made');
  assert.ok(
    h.core.keys.list().every((k) => k.status === 'active'),
    'no key was revoked',
  );

  const allowed: Array<Record<string, string>> = [
    { 'sec-fetch-site': 'same-origin' },
    { 'sec-fetch-site': 'none' },
    { origin: `http://${host}` },
    { referer: `http://${host}/#keys` },
  ];
  for (const headers of allowed) {
    assert.equal(
      (await asDashboard('/admin/keys', postJson({ name: 'ok' }), headers)).status,
      201,
      JSON.stringify(headers),
    );
  }
});

test('the login link: a used, unknown, repeated or huge token redirects to the explanation, never a 500; the cookie is HttpOnly and SameSite=Strict', async () => {
  const token = h.core.admin.issueLoginToken();
  const first = await fetch(`${h.core.url}/admin/login?token=${token}`, { redirect: 'manual' });
  assert.equal(first.status, 303);
  assert.equal(first.headers.get('location'), '/');
  const setCookie = first.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /^wagate_admin=[\w-]{43};/);
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.match(setCookie, /Path=\//);
  const fresh = h.core.admin.issueLoginToken();
  for (const query of [
    `token=${token}`,
    'token=nope',
    `token=${fresh}&token=${fresh}`,
    `token[]=${fresh}`,
    `token=${'a'.repeat(6000)}`,
    'token=%E0%A4%A',
    'token=',
    '',
  ]) {
    const res = await fetch(`${h.core.url}/admin/login?${query}`, { redirect: 'manual' });
    assert.equal(res.status, 303, query.slice(0, 40));
    assert.equal(res.headers.get('location'), '/?login=expired', query.slice(0, 40));
    assert.equal(res.headers.get('set-cookie'), null, query.slice(0, 40));
  }
  // The repeated and the bracketed forms did not spend the fresh token.
  assert.equal(
    (await fetch(`${h.core.url}/admin/login?token=${fresh}`, { redirect: 'manual' })).headers.get('location'),
    '/',
  );
});

test('an API key never opens admin endpoints, and a bad key is not rescued by a good cookie', async () => {
  for (const path of ['/admin/keys', '/admin/webhooks', '/admin/messages', '/admin/me', '/admin/events']) {
    assertFail(await h.call(path), 401, /Dashboard login required/, path);
  }
  assertFail(
    await asDashboard('/session', {}, { authorization: 'wg_00000000_bad' }),
    401,
    /Invalid or missing authentication/,
    'bad key + good cookie',
  );
});

test('admin endpoints: odd bodies, ids and queries are specific 4xx, never a 500', async () => {
  const same = { 'sec-fetch-site': 'same-origin' };
  const keyBodies: Array<[unknown, RegExp]> = [
    [[{ name: 'a' }], /JSON object/],
    ['"a"', /JSON object/],
    [{}, /Name is required/],
    [{ name: '   ' }, /Name is required/],
    [{ name: 'n'.repeat(65) }, /at most 64/],
    [{ name: ['a'] }, /Name is required/],
    [{ name: 'a', expires_in_days: 1e308 }, /expires_in_days/],
    [{ name: 'a', expires_in_days: '30' }, /expires_in_days/],
    [{ name: 'a', expires_in_days: 0 }, /expires_in_days/],
    [{ name: 'a', expires_in_days: 1.5 }, /expires_in_days/],
    [{ name: 'a', expires_in_days: 3651 }, /expires_in_days/],
    ['{"__proto__":{"name":"x"}}', /Name is required/],
    [`{"name":"a","x":${'['.repeat(50_000)}${']'.repeat(50_000)}}`, /./],
  ];
  for (const [body, error] of keyBodies) {
    const res = await asDashboard('/admin/keys', postJson(body), same);
    assert.ok(res.status === 400 || res.status === 201, `${JSON.stringify(body).slice(0, 40)} → ${res.status}`);
    if (res.status === 400) assert.match(res.body.error, error);
  }
  const webhookBodies: unknown[] = [
    { url: 'javascript:alert(1)' },
    { url: 'file:///etc/passwd' },
    { url: 'http://127.0.0.1:99999/x' },
    { url: `http://127.0.0.1/${'x'.repeat(100_000)}` },
    { url: 'http://127.0.0.1/x', events: 'message.received' },
    { url: 'http://127.0.0.1/x', events: [] },
    { url: 'http://127.0.0.1/x', events: ['nope'] },
    { url: ['http://127.0.0.1/x'] },
    { url: 'http://user:pass@' },
    { url: '\u0000' },
    {},
  ];
  for (const body of webhookBodies) {
    const res = await asDashboard('/admin/webhooks', postJson(body), same);
    assert.ok(
      res.status === 400 || res.status === 201,
      `${JSON.stringify(body).slice(0, 60)} → ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`,
    );
  }
  for (const id of ['x'.repeat(3000), '%00', "1' OR '1'='1", '__proto__']) {
    assertFail(await asDashboard(`/admin/keys/${id}`, { method: 'DELETE' }, same), 404, /No API key/, id.slice(0, 20));
    assertFail(
      await asDashboard(`/admin/webhooks/${id}`, { method: 'DELETE' }, same),
      404,
      /No webhook/,
      id.slice(0, 20),
    );
    assertFail(await asDashboard(`/admin/webhooks/${id}/deliveries`), 404, /No webhook/, id.slice(0, 20));
  }
  for (const query of ['limit=1e309', 'limit=0', 'limit=101', 'limit=a', 'limit=1&limit=2']) {
    assertFail(await asDashboard(`/admin/messages?${query}`), 400, /limit/, query);
  }
});

/** Opens an event stream and resolves once its first bytes arrived (the stream is registered by then). */
function openStream(
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; type: string; req: ClientRequest }> {
  return new Promise((resolve, reject) => {
    const req = request(`${h.core.url}${path}`, { headers }, (res) => {
      res.once('data', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), req }));
      res.on('error', () => {});
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    req.setTimeout(5000, () => reject(new Error(`${path} did not answer`)));
    req.end();
  });
}

test('GET /events: a bad Last-Event-ID or query is a 400 envelope before the stream opens; odd but valid ones stream', async () => {
  const bad: Array<[Record<string, string>, string]> = [
    [{ 'last-event-id': 'abc' }, ''],
    [{ 'last-event-id': '-1' }, ''],
    [{ 'last-event-id': '1.5' }, ''],
    [{ 'last-event-id': '1e3' }, ''],
    [{ 'last-event-id': '0x10' }, ''],
    [{ 'last-event-id': '9'.repeat(16) }, ''],
    [{ 'last-event-id': '\u00bd' }, ''],
    [{}, '?last_event_id='],
    [{}, '?last_event_id=1&last_event_id=2'],
    [{}, '?types=message.received,nope'],
    [{}, '?types=a&types=b'],
    [{}, '?types=__proto__'],
  ];
  for (const [headers, query] of bad) {
    const res = await h.call(`/events${query}`, { headers });
    assertFail(res, 400, /Last-Event-ID|Unknown event type|types/, `${JSON.stringify(headers)} ${query}`);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  }
  const fine: Array<[Record<string, string>, string]> = [
    [{ authorization: h.key, 'last-event-id': '999999999999999' }, ''],
    [{ authorization: h.key, 'last-event-id': ' 0 ' }, ''],
    [{ authorization: h.key }, '?types=,,,'],
    [{ authorization: h.key, 'last-event-id': '0' }, '?last_event_id=abc'],
    [{ cookie }, '?types=session.state'],
  ];
  for (const [headers, query] of fine) {
    const stream = await openStream(`/events${query}`, headers);
    stream.req.destroy();
    assert.equal(stream.status, 200, `${JSON.stringify(headers)} ${query}`);
    assert.match(stream.type, /text\/event-stream/);
  }
  // The dashboard's stream has no cursor: a Last-Event-ID is ignored.
  const admin = await openStream('/admin/events', { cookie, 'last-event-id': 'garbage' });
  admin.req.destroy();
  assert.equal(admin.status, 200);
});

test('many event-stream clients that connect and vanish leave no subscriber or bus listener behind', async () => {
  const log = h.core.eventLog;
  const subscribe = log.subscribe.bind(log);
  let live = 0;
  log.subscribe = (fn) => {
    live++;
    const unsubscribe = subscribe(fn);
    return () => {
      live--;
      unsubscribe();
    };
  };
  // Streams of the previous tests may still be closing: start once the core holds only its own listeners again.
  await eventually(() => listeners() === baseline, 'the streams of earlier tests to let go', 3000);
  // Five keys: one key may hold only a few streams (client-limits.test.ts).
  const keys = Array.from({ length: 5 }, (_, i) => h.core.keys.create({ name: `stream-${i}`, expiresAt: null }).key);
  try {
    for (let round = 0; round < 2; round++) {
      const streams = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          i % 2 ? openStream('/events', { authorization: keys[i % 5]! }) : openStream('/admin/events', { cookie }),
        ),
      );
      assert.equal(live, 20, 'one log subscriber per /events client');
      assert.equal(listeners() - baseline, 20 * 5, 'five bus listeners per /admin/events client');
      h.core.events.emit('keys.changed');
      for (const s of streams) s.req.destroy();
      await eventually(
        () => live === 0 && listeners() === baseline,
        `round ${round}: every /events subscriber and /admin/events listener to let go`,
        3000,
      );
    }
  } finally {
    log.subscribe = subscribe;
  }
  assert.equal((await h.call('/health')).status, 200);
});
