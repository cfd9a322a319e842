import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTurnBudget } from '../../server/http/turn-budget.ts';

/** The end of this turn of the event loop (its check phase), or of the next one when called from there. */
const nextCheck = () => new Promise((resolve) => setImmediate(resolve));
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);

test('requests past the budget start in later turns of the loop, a budget at a time, in the order they came', async () => {
  const budget = createTurnBudget(3);
  const started: number[] = [];
  for (let i = 0; i < 8; i++) budget(() => started.push(i));
  assert.deepEqual(started, upTo(3), 'the budget starts at once');
  await nextCheck();
  assert.deepEqual(started, upTo(6), 'three more at the end of this turn');
  await nextCheck();
  assert.deepEqual(started, upTo(8), 'the rest in the next turn');
});

test('a request that comes while others wait goes after them, even in a turn with budget left', async () => {
  const budget = createTurnBudget(2);
  const started: string[] = [];
  for (const name of ['a', 'b', 'c', 'd', 'e']) budget(() => started.push(name));
  await nextCheck();
  assert.deepEqual(started, ['a', 'b', 'c', 'd']);
  budget(() => started.push('late'));
  assert.deepEqual(started, ['a', 'b', 'c', 'd'], 'e still waits, so the late one waits behind it');
  await nextCheck();
  assert.deepEqual(started, ['a', 'b', 'c', 'd', 'e', 'late']);
});
