import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideOnClose } from '../../server/whatsapp/reconnect-policy.ts';

test('515 restart required: a new socket at once', () => {
  assert.deepEqual(decideOnClose(515, 3), { action: 'restart' });
});

test('401 logged out and 403 forbidden end the credentials', () => {
  assert.deepEqual(decideOnClose(401, 0), { action: 'logged_out' });
  assert.deepEqual(decideOnClose(403, 0), { action: 'logged_out' });
});

test('440 connection replaced: stop instead of fighting', () => {
  assert.deepEqual(decideOnClose(440, 0), { action: 'replaced' });
});

test('transient closes back off exponentially, with jitter, up to a cap', () => {
  const backoff = { baseMs: 1000, maxMs: 30_000 };
  const delay = (code: number | undefined, attempt: number, r: number) => {
    const decision = decideOnClose(code, attempt, () => r, backoff);
    assert.equal(decision.action, 'reconnect');
    return decision.action === 'reconnect' ? decision.delayMs : -1;
  };
  assert.equal(delay(428, 0, 1), 1000);
  assert.equal(delay(428, 0, 0), 500);
  assert.equal(delay(408, 1, 1), 2000);
  assert.equal(delay(503, 3, 1), 8000);
  assert.equal(delay(undefined, 4, 0), 8000);
  assert.equal(delay(500, 20, 1), 30_000);
  assert.equal(delay(428, 20, 0), 15_000);
  const spread = new Set(Array.from({ length: 50 }, () => decideOnClose(428, 2)).map((d) => JSON.stringify(d)));
  assert.ok(spread.size > 1, 'jitter varies the delay');
});
