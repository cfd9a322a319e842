import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  DELIVERY_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signPayload,
  verifySignature,
} from '../../server/webhooks/signature.ts';

const SECRET = 'whsec_test-secret';
const BODY = '{"id":7,"type":"message.received","at":1764080000000,"data":{"text":"héllo"}}';

test('the signature is v1= and the hex HMAC-SHA256 of "timestamp.body", as the README documents', () => {
  const ts = 1_764_080_000;
  const expected = createHmac('sha256', SECRET).update(`${ts}.${BODY}`).digest('hex');
  assert.equal(signPayload(SECRET, ts, BODY), `v1=${expected}`);
  assert.equal(
    signPayload(SECRET, String(ts), Buffer.from(BODY)),
    `v1=${expected}`,
    'raw bytes sign the same as the string',
  );
});

test('a fresh, untouched delivery verifies', () => {
  const ts = Math.floor(Date.now() / 1000);
  assert.equal(verifySignature(SECRET, signPayload(SECRET, ts, BODY), String(ts), BODY), true);
  assert.equal(
    verifySignature(SECRET, `v1=${'0'.repeat(64)}, ${signPayload(SECRET, ts, BODY)}`, ts, BODY),
    true,
    'one of several signatures',
  );
});

test('a tampered body, another secret, a changed timestamp or a malformed header fails', () => {
  const ts = Math.floor(Date.now() / 1000);
  const header = signPayload(SECRET, ts, BODY);
  assert.equal(verifySignature(SECRET, header, ts, BODY.replace('héllo', 'hello')), false);
  assert.equal(verifySignature('whsec_other', header, ts, BODY), false);
  assert.equal(verifySignature(SECRET, header, ts + 1, BODY), false);
  for (const bad of ['', 'v1=', 'v1=zz', `v0=${header.slice(3)}`, header.slice(0, -2), null, undefined]) {
    assert.equal(verifySignature(SECRET, bad, ts, BODY), false, String(bad));
  }
  assert.equal(verifySignature(SECRET, header, 'soon', BODY), false);
});

test('an old (replayed) or far-future timestamp fails even with a valid signature', () => {
  const now = Math.floor(Date.now() / 1000);
  const old = now - 301;
  assert.equal(verifySignature(SECRET, signPayload(SECRET, old, BODY), old, BODY), false);
  const future = now + 301;
  assert.equal(verifySignature(SECRET, signPayload(SECRET, future, BODY), future, BODY), false);
  assert.equal(
    verifySignature(SECRET, signPayload(SECRET, old, BODY), old, BODY, 600),
    true,
    'a wider tolerance takes it',
  );
  assert.equal(
    verifySignature(SECRET, signPayload(SECRET, old, BODY), old, BODY, 300, old + 10),
    true,
    'the clock is injectable',
  );
});

test('a timestamp or a signature with anything around it fails, and never throws', () => {
  const now = 1_764_080_000;
  const at = (ts: string, header: string) => verifySignature(SECRET, header, ts, BODY, 300, now);
  for (const ts of [`${now}x`, `x${now}`, ` ${now}`]) {
    assert.equal(at(ts, signPayload(SECRET, ts, BODY)), false, `timestamp ${JSON.stringify(ts)}`);
  }
  const hex = signPayload(SECRET, now, BODY).slice(3);
  for (const header of [`v1=zz${hex}`, `v1=${hex}00`, `v1=${hex.slice(2)}`]) {
    assert.equal(at(String(now), header), false, header);
  }
});

test('the headers are named as the README documents them', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const names = [SIGNATURE_HEADER, TIMESTAMP_HEADER, DELIVERY_HEADER, EVENT_HEADER];
  assert.deepEqual(names, ['WaGate-Signature', 'WaGate-Timestamp', 'WaGate-Delivery', 'WaGate-Event']);
  for (const name of names) assert.ok(readme.includes(`| \`${name}\` |`), `${name} in the README's table`);
});
