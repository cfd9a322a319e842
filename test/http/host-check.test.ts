import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandboxCore, type TestCore } from '../support/core.ts';
import { assertEnvelope, rawExchange } from '../support/raw-http.ts';

/**
 * The Host check of the real core (DNS rebinding): only the names this server answers to get through, whatever the
 * request carries. Raw sockets, because fetch will not send a foreign Host, two of them, or an absolute-form target.
 */
let h: TestCore;
let port: number;
before(async (t) => {
  h = await startSandboxCore(t);
  port = Number(new URL(h.core.url).port);
});

const raw = (data: string, to = port) => rawExchange(to, data);

const get = (path: string, host: string | null, extra = '') =>
  raw(`GET ${path} HTTP/1.1\r\n${host === null ? '' : `Host: ${host}\r\n`}${extra}Connection: close\r\n\r\n`);

test('Host header: only loopback names of ours pass, in any case, with or without the port', async () => {
  for (const host of [
    '127.0.0.1',
    `127.0.0.1:${port}`,
    'localhost',
    `localhost:${port}`,
    'LOCALHOST',
    `LocalHost:${port}`,
    '[::1]',
    `[::1]:${port}`,
  ]) {
    assert.equal((await get('/health', host)).status, 200, host);
  }
  const refused = [
    'localhost.evil.com',
    `localhost.evil.com:${port}`,
    '127.0.0.1.nip.io',
    `127.0.0.1.nip.io:${port}`,
    'evil.com',
    'localhost.',
    '127.1',
    '[::ffff:127.0.0.1]',
    '0.0.0.0',
    '192.168.1.5',
    '[fe80::1]',
    '',
    'evil.com, 127.0.0.1',
    '127.0.0.1.',
    'xn--localhost',
  ];
  for (const host of refused) {
    const body = assertEnvelope(await get('/health', host), 403, `Host ${JSON.stringify(host)}`);
    assert.match(body.error, /is not allowed/);
  }
  // HTTP/1.0 may leave Host out: refused too.
  const none = assertEnvelope(await raw('GET /health HTTP/1.0\r\n\r\n'), 403, 'no Host at all');
  assert.match(none.error, /^Host "" is not allowed/);
});

test('only a Host header counts: a URL in the query, or a header whose value is "Host", is not one', async () => {
  for (const [target, extra] of [
    ['/health?next=http://evil.com/', ''],
    ['/health', 'X-Note: Host\r\n'],
  ] as const) {
    const res = await get(target, `127.0.0.1:${port}`, extra);
    assert.equal(res.status, 200, `${target} ${extra.trim()} → ${res.head.split('\r\n')[0]} ${res.body.slice(0, 200)}`);
  }
});

test('more than one Host header is a 400, in either order, whatever the request (RFC 9112 §3.2)', async () => {
  const send = (hosts: string[]) =>
    raw(
      `POST /chats/15550001111/messages HTTP/1.1\r\n${hosts.map((x) => `Host: ${x}\r\n`).join('')}Authorization: ${h.key}\r\nContent-Type: application/json\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{"text":"hi"}`,
    );
  for (const hosts of [
    [`127.0.0.1:${port}`, 'evil.com'],
    ['evil.com', `127.0.0.1:${port}`],
    ['127.0.0.1', '127.0.0.1'],
  ]) {
    const body = assertEnvelope(await send(hosts), 400, `Host ${hosts.join(' + ')}`);
    assert.match(body.error, /one Host header/);
  }
  assertEnvelope(
    await raw(`GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nhOsT: evil.com\r\nConnection: close\r\n\r\n`),
    400,
    'two Host headers spelled differently',
  );
});

test("an absolute-form request line's authority is the host (RFC 9112 §3.2.2): a foreign one is refused like a foreign Host", async () => {
  const request = (target: string, method = 'GET', extra = '') =>
    raw(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${extra}Connection: close\r\n\r\n`);
  const send = await raw(
    `POST http://evil.com/chats/15550001111/messages HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${h.key}\r\nContent-Type: application/json\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{"text":"hi"}`,
  );
  const body = assertEnvelope(send, 403, 'a send through http://evil.com');
  assert.match(body.error, /"evil\.com" is not allowed/);
  for (const target of [
    'http://evil.com/health',
    'HTTP://EVIL.COM/health',
    `http://evil.com:${port}/session`,
    `http://127.0.0.1:${port}@evil.com/health`,
    'http://localhost.evil.com/health',
    'http:///health',
  ]) {
    assertEnvelope(await request(target, 'GET', `Authorization: ${h.key}\r\n`), 403, target);
  }
  assertEnvelope(await request(`https://127.0.0.1:${port}/health`), 400, 'an https URI');
  for (const target of [`http://127.0.0.1:${port}/health`, `http://localhost/health`, `http://[::1]:${port}/health`]) {
    assert.equal((await request(target)).status, 200, target);
  }
  // The authority wins over Host both ways: a good URI makes a foreign Host irrelevant.
  const own = await raw(`GET http://127.0.0.1:${port}/health HTTP/1.1\r\nHost: evil.com\r\nConnection: close\r\n\r\n`);
  assert.equal(own.status, 200);
});

test('a foreign Host is refused before anything else: no login token is redeemed, no key checked, no body read', async () => {
  const token = h.core.admin.issueLoginToken();
  const rebound = await get(`/admin/login?token=${token}`, 'attacker.example');
  assertEnvelope(rebound, 403, 'login through a rebound name');
  assert.doesNotMatch(rebound.head, /set-cookie/i);
  const login = await get(`/admin/login?token=${token}`, '127.0.0.1');
  assert.equal(login.status, 303);
  assert.match(login.head, /location: \/\r?$/im, 'the token was still unused: it logs in');
  assertEnvelope(
    await get('/session', 'attacker.example', `Authorization: ${h.key}\r\n`),
    403,
    'a good key through a rebound name',
  );
  const post = await raw(
    `POST /chats/15550001111/messages HTTP/1.1\r\nHost: evil.example\r\nAuthorization: ${h.key}\r\nContent-Type: application/json\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{"text":"hi"}`,
  );
  assertEnvelope(post, 403, 'a send through a rebound name');
});

test('a Host that is not a well-formed host[:port] is refused, whatever it starts with', async () => {
  for (const host of [
    '[::1].evil.com',
    `[::1]:${port}.evil.com`,
    `127.0.0.1:${port}@evil.com`,
    '127.0.0.1:abc',
    'localhost:1:2',
  ]) {
    assertEnvelope(await get('/health', host), 403, `Host ${JSON.stringify(host)}`);
  }
});

test('bound to 0.0.0.0 (when told to), the core answers to any address typed as numbers, and still to no other name', async (t) => {
  const wide = await startSandboxCore(t, { config: { host: '0.0.0.0' } });
  const widePort = Number(new URL(wide.core.url).port);
  const status = async (host: string) =>
    (await raw(`GET /health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, widePort)).status;
  // DNS rebinding needs a name: an address typed as numbers (the LAN address a phone on the Wi-Fi uses) is fine.
  for (const host of ['127.0.0.1', 'localhost', '192.168.1.5', `192.168.1.5:${widePort}`, '10.0.0.7', '[fe80::1]']) {
    assert.equal(await status(host), 200, `Host ${host}`);
  }
  for (const host of ['evil.example', `evil.example:${widePort}`, '192.168.1.5.nip.io', 'wagate.local']) {
    assert.equal(await status(host), 403, `Host ${host}: DNS rebinding is still refused on a wide bind`);
  }
});
