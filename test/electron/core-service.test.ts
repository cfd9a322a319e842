import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { DEFAULT_PACING, type PacingState } from '../../server/contract/pacing.ts';
import { CredentialsLockedError } from '../../server/store/saved-credentials.ts';
import { pacingSummary, startFailureOf } from '../../electron/core-service.ts';

test("a start's failure is told apart: a taken port, credentials that cannot be opened, anything else", async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  const second = createServer();
  const error = await new Promise<unknown>((resolve) => {
    second.once('error', resolve);
    second.listen(port, '127.0.0.1');
  });
  await new Promise<void>((resolve) => taken.close(() => resolve()));
  assert.equal(startFailureOf(error), 'port_in_use');
  assert.equal(startFailureOf(new CredentialsLockedError()), 'credentials');
  assert.equal(startFailureOf(new Error('disk full')), 'other');
  assert.equal(startFailureOf('a string'), 'other');
});

test('the tray is told how many messages pacing holds and when the first of them may leave', () => {
  const state = (waiting: PacingState['waiting']): PacingState => ({
    policy: DEFAULT_PACING,
    defaults: DEFAULT_PACING,
    usage: { last_minute: 0, last_hour: 0, new_chats_today: 0 },
    waiting,
  });
  const held = (until: number | null) => ({ message_id: 'm', chat_jid: 'c', until, limit: 'chat_gap' as const });
  assert.deepEqual(pacingSummary(state([])), { waiting: 0, next_at: null });
  // Longest-waiting first is not soonest first: the soonest time is what the tray says.
  assert.deepEqual(pacingSummary(state([held(300), held(null), held(200)])), { waiting: 3, next_at: 200 });
  assert.deepEqual(pacingSummary(state([held(null)])), { waiting: 1, next_at: null });
});
