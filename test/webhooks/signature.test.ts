import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { newSecret, signedHeaders, verifySignature } from '../../server/webhooks/signature.ts';
import { DELIVERY_HEADERS } from '../../server/contract/webhooks.ts';

// The Standard Webhooks libraries' own test vector (libraries/go/webhook_test.go, python/tests/test_webhooks.py).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1_614_265_330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const SECRET = newSecret();
const ID = 'dlv_0123456789abcdef';
const BODY = '{"id":7,"type":"message.received","at":1764080000,"data":{"text":"héllo"}}';
const nowSec = () => Math.floor(Date.now() / 1000);
const withSignature = (headers: Record<string, string>, signature: string) => ({
  ...headers,
  'webhook-signature': signature,
});

test("the headers sign as the standard's own test vector says", () => {
  const { secret, id, timestamp, body, signature } = VECTOR;
  assert.deepEqual(signedHeaders(secret, id, timestamp, body), {
    'webhook-id': id,
    'webhook-timestamp': '1614265330',
    'webhook-signature': signature,
  });
  assert.equal(signedHeaders(secret, id, timestamp, Buffer.from(body))['webhook-signature'], signature, 'raw bytes');
  const at = { now: timestamp * 1000 };
  assert.equal(verifySignature(secret, body, signedHeaders(secret, id, timestamp, body), at), true);
});

test('a new secret is whsec_ and the base64 of 32 random bytes, which the standard library takes', () => {
  assert.match(SECRET, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.equal(Buffer.from(SECRET.slice(6), 'base64').length, 32);
  assert.notEqual(newSecret(), SECRET);
  const headers = signedHeaders(SECRET, ID, nowSec(), BODY);
  assert.deepEqual(new Webhook(SECRET).verify(BODY, headers), JSON.parse(BODY), 'the library verifies our signature');
});

test('what the standard library signs, verifySignature takes, and nothing else', () => {
  const ts = nowSec();
  const library = new Webhook(SECRET).sign(ID, new Date(ts * 1000), BODY);
  const headers = { 'webhook-id': ID, 'webhook-timestamp': String(ts), 'webhook-signature': library };
  assert.equal(verifySignature(SECRET, BODY, headers), true);
  assert.equal(verifySignature(SECRET, Buffer.from(BODY), headers), true, 'raw bytes');
  assert.equal(verifySignature(SECRET, BODY.replace('héllo', 'hello'), headers), false, 'another body');
  assert.equal(verifySignature(newSecret(), BODY, headers), false, 'another secret');
  assert.equal(verifySignature(SECRET, BODY, { ...headers, 'webhook-id': 'dlv_other' }), false, 'another id');
  assert.equal(
    verifySignature(SECRET, BODY, { ...headers, 'webhook-timestamp': String(ts + 1) }),
    false,
    'another time',
  );
});

test('one good signature among several (a rotating secret) verifies, whatever its place', () => {
  const headers = signedHeaders(SECRET, ID, nowSec(), BODY);
  const good = headers['webhook-signature']!;
  const other = signedHeaders(newSecret(), ID, nowSec(), BODY)['webhook-signature']!;
  for (const list of [`${other} ${good}`, `${good} ${other}`, `v1a,${good.slice(3)} ${good}`]) {
    assert.equal(verifySignature(SECRET, BODY, withSignature(headers, list)), true, list);
  }
  assert.equal(verifySignature(SECRET, BODY, withSignature(headers, other)), false, 'only the other secret');
});

test('a malformed or missing header fails, and never throws', () => {
  const headers = signedHeaders(SECRET, ID, nowSec(), BODY);
  const good = headers['webhook-signature']!;
  const digest = good.slice(3);
  for (const bad of [
    '',
    'v1,',
    digest,
    `v1=${digest}`,
    `v2,${digest}`,
    `v1,${digest}=`,
    `v1,x${digest}`,
    `v1, ${digest}`,
  ]) {
    assert.equal(verifySignature(SECRET, BODY, withSignature(headers, bad)), false, bad);
  }
  assert.equal(verifySignature(SECRET, BODY, withSignature(headers, `${good},v1,x`)), false, 'a signature with a tail');
  const noId = signedHeaders(SECRET, '', nowSec(), BODY);
  assert.throws(() => new Webhook(SECRET).verify(BODY, noId), /Missing required headers/, 'nor does the library');
  assert.equal(verifySignature(SECRET, BODY, noId), false, 'signed for an empty id');
  for (const name of Object.keys(headers)) {
    const { [name]: _left, ...without } = headers;
    assert.equal(verifySignature(SECRET, BODY, without), false, `without ${name}`);
    assert.equal(verifySignature(SECRET, BODY, { ...headers, [name]: '' }), false, `empty ${name}`);
    assert.equal(verifySignature(SECRET, BODY, { ...headers, [name]: [headers[name]!] }), false, `${name} twice`);
  }
});

test('a timestamp with anything around it fails, even signed as it is', () => {
  const now = 1_764_080_000;
  const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
  for (const ts of [`${now}x`, `x${now}`, ` ${now}`, `${now}.5`]) {
    const signature = createHmac('sha256', key).update(`${ID}.${ts}.${BODY}`).digest('base64');
    const headers = { 'webhook-id': ID, 'webhook-timestamp': ts, 'webhook-signature': `v1,${signature}` };
    assert.equal(verifySignature(SECRET, BODY, headers, { now: now * 1000 }), false, `timestamp ${JSON.stringify(ts)}`);
  }
});

test('an old (replayed) or far-future timestamp fails even with a valid signature; the tolerance can be set', () => {
  const now = 1_764_080_000;
  const signedAt = (ts: number, options = {}) =>
    verifySignature(SECRET, BODY, signedHeaders(SECRET, ID, ts, BODY), { now: now * 1000, ...options });
  assert.equal(signedAt(now - 301), false);
  assert.equal(signedAt(now + 301), false);
  assert.equal(signedAt(now - 301, { toleranceMs: 600_000 }), true, 'a wider tolerance takes it');
  assert.equal(signedAt(now - 300), true);
  assert.equal(signedAt(now + 300), true);
});

test('a secret that is not whsec_ and the base64 of 24 to 64 bytes is refused, without showing it', () => {
  const bytes = (n: number) => `whsec_${Buffer.alloc(n, 7).toString('base64')}`;
  const sign = (secret: string) => () => signedHeaders(secret, ID, nowSec(), BODY);
  const refused = /^Error: a webhook secret is whsec_ and the base64 of 24 to 64 random bytes$/;
  for (const secret of [
    bytes(23),
    bytes(65),
    bytes(32).slice(6),
    `whsec_${'-'.repeat(43)}`,
    'whsec_',
    `${bytes(32)}!`,
    `whsec_!${bytes(32).slice(6)}`,
    `x${bytes(32)}`,
  ]) {
    assert.throws(sign(secret), refused, secret);
  }
  assert.throws(() => verifySignature('whsec_short', BODY, signedHeaders(SECRET, ID, nowSec(), BODY)), refused);
  for (const secret of [bytes(24), bytes(64), VECTOR.secret]) assert.doesNotThrow(sign(secret), secret);
});

test('the headers are named as the README and the standard name them', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.deepEqual(DELIVERY_HEADERS, {
    id: 'webhook-id',
    timestamp: 'webhook-timestamp',
    signature: 'webhook-signature',
    event: 'WaGate-Event',
  });
  for (const name of Object.values(DELIVERY_HEADERS)) {
    assert.ok(readme.includes(`| \`${name}\` |`), `${name} in the README's table`);
  }
});
