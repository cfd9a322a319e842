import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stateBadge, stateWords } from '../../renderer/src/state/session-words.ts';

test('the header pill and the Phone link banner say the same thing while connecting', () => {
  assert.equal(stateBadge('connecting').text, 'Connecting');
  assert.match(stateWords('connecting', null).headline, /^Connecting to WhatsApp/);
});

test('an expired code reads as a new code on its way, not as a failure', () => {
  const expired = 'The code expired before it was scanned';
  const between = stateWords('starting', expired);
  assert.equal(between.headline, 'Getting a new code…');
  assert.equal(between.advice, 'The code expired before it was scanned. It appears here in a moment.');
  assert.equal(
    stateWords('qr', expired).advice,
    'The code expired before it was scanned. Link with the new code below.',
  );
  assert.doesNotMatch(JSON.stringify([between, stateWords('qr', expired)]), /timed out|failed|error/i);
});

test('offline advice says "check that this computer is online" once', () => {
  const offline = stateWords('reconnecting', 'WhatsApp cannot be reached: check that this computer is online');
  assert.equal(offline.advice!.match(/online/g)!.length, 1, offline.advice!);
  const other = stateWords('reconnecting', 'The connection timed out');
  assert.match(other.advice!, /check that this computer is online/);
});
