import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterCrash, crashWords, CRASH_LOOP_MS } from '../../electron/crash-policy.ts';

test('a first crash restarts the core at once; a second within a minute asks the user first', () => {
  const now = 1_000_000_000;
  assert.equal(afterCrash(null, now), 'restart');
  assert.equal(afterCrash(now - CRASH_LOOP_MS, now), 'restart');
  assert.equal(afterCrash(now - CRASH_LOOP_MS + 1, now), 'ask');
});

test('the words say what happened and what becomes of accepted messages, and the question offers both ways', () => {
  const words = crashWords(9);
  assert.equal(words.status, 'WaGate stopped unexpectedly: restarting…');
  assert.match(words.notice.body, /accepted are kept/);
  assert.match(words.question.detail, /exit code 9/);
  assert.deepEqual(words.question.buttons, ['Restart WaGate', 'Quit']);
});
