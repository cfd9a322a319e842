import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPairedCore, type TestCore } from '../support/core.ts';
import { rawExchange } from '../support/raw-http.ts';
import { ALICE } from '../support/contacts.ts';

/**
 * Every answer's head starts with the security headers, in one order, then the answer's own in the order it set
 * them: whether the head is written as one list (an envelope that set nothing else), ahead of headers the answer set
 * itself (a 202's Location, a 429's Retry-After), or by express (its 404, a docs page).
 */
let h: TestCore;
let port: number;
before(async (t) => {
  h = await startPairedCore(t);
  port = Number(new URL(h.core.url).port);
});

const SECURITY = [
  'Content-Security-Policy',
  'X-Content-Type-Options',
  'X-Frame-Options',
  'Referrer-Policy',
  'Cross-Origin-Opener-Policy',
  'Cross-Origin-Resource-Policy',
];

/** The names of the head's fields as sent, in order, and the status. */
async function head(method: string, path: string, extra = '', body = '') {
  const length = body ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` : '';
  const res = await rawExchange(
    port,
    `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}${length}Connection: close\r\n\r\n${body}`,
  );
  const names = res.head
    .split('\r\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => line.slice(0, line.indexOf(':')));
  return { status: res.status, names: names.filter((name) => !['Date', 'Connection'].includes(name)) };
}

const auth = () => `Authorization: ${h.key}\r\n`;
const text = (async: boolean) => JSON.stringify({ text: 'heads', typing_simulation: false, async });

test('an envelope that sets nothing else: the security headers, then its type and length', async () => {
  for (const [method, path, extra, body, status] of [
    ['POST', `/chats/${ALICE}/messages`, auth(), text(false), 200],
    ['GET', '/session', auth(), '', 200],
    ['HEAD', '/health', '', '', 200],
    ['GET', '/session', '', '', 401],
    ['POST', '/chats/nobody/messages', auth(), text(false), 400],
  ] as const) {
    const answer = await head(method, path, extra, body);
    assert.equal(answer.status, status, `${method} ${path}`);
    assert.deepEqual(answer.names, [...SECURITY, 'Content-Type', 'Content-Length'], `${method} ${path}`);
  }
});

test('headers an answer sets itself come after the security headers, in the order it set them', async () => {
  const accepted = await head('POST', `/chats/${ALICE}/messages`, `${auth()}Prefer: respond-async\r\n`, text(false));
  assert.equal(accepted.status, 202);
  assert.deepEqual(accepted.names, [...SECURITY, 'Preference-Applied', 'Location', 'Content-Type', 'Content-Length']);
  const missing = await head('GET', '/nope', auth());
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.names.slice(0, SECURITY.length), SECURITY, 'express answers too');
  const docs = await head('GET', '/docs/', '');
  assert.deepEqual(docs.names.slice(0, SECURITY.length), SECURITY, 'and its pages');
});
