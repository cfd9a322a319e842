import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOutboxQueue, type QueuedJob } from '../../server/whatsapp/outbox-queue.ts';
import { fakeClock } from '../support/fake-clock.ts';

const START_S = 1_800_000_000;
const job = (id: string, fields: Partial<QueuedJob> = {}): QueuedJob => ({
  message_id: id,
  chat_jid: 'a@s.whatsapp.net',
  send_at: null,
  created_at: START_S,
  presence_simulation: false,
  ...fields,
});
const takeAll = (queue: ReturnType<typeof createOutboxQueue>, chat = 'a@s.whatsapp.net') => {
  const taken: string[] = [];
  for (let next = queue.takeDue(chat); next; next = queue.takeDue(chat)) taken.push(next.message_id);
  return taken;
};

test("a chat's due jobs leave earliest first (send_at, or when accepted), ties in the order accepted", () => {
  const clock = fakeClock(START_S * 1000);
  const queue = createOutboxQueue(clock);
  queue.add(job('later', { send_at: START_S + 120 }));
  queue.add(job('now-1'));
  queue.add(job('at-60-first', { send_at: START_S + 60 }));
  queue.add(job('at-60-second', { send_at: START_S + 60 }));
  queue.add(job('overdue', { send_at: START_S - 30 }));
  queue.add(job('now-2'));
  assert.deepEqual(takeAll(queue), ['overdue', 'now-1', 'now-2'], 'only what is due');
  assert.equal(queue.has('a@s.whatsapp.net'), true, 'the scheduled ones wait');
  assert.equal(queue.nextDueAt(), START_S + 60);
  clock.advance(120_000);
  assert.deepEqual(takeAll(queue), ['at-60-first', 'at-60-second', 'later']);
  assert.equal(queue.has('a@s.whatsapp.net'), false);
  assert.equal(queue.nextDueAt(), null);
});

test('a job without send_at leaves even when the clock went back behind an earlier scheduled one', () => {
  const clock = fakeClock(START_S * 1000);
  const queue = createOutboxQueue(clock);
  queue.add(job('accepted-before-the-clock-went-back', { created_at: START_S + 3600 }));
  queue.add(job('scheduled', { send_at: START_S + 600 }));
  assert.deepEqual(takeAll(queue), ['accepted-before-the-clock-went-back']);
  assert.equal(queue.nextDueAt(), START_S + 600);
});

test('chats keep their own turns; nextDueAt is the earliest wait over all of them', () => {
  const clock = fakeClock(START_S * 1000);
  const queue = createOutboxQueue(clock);
  queue.add(job('b-1', { chat_jid: 'b@s.whatsapp.net', send_at: START_S + 30 }));
  queue.add(job('a-1', { send_at: START_S + 90 }));
  queue.add(job('a-2'));
  assert.deepEqual([...queue.chats()].sort(), ['a@s.whatsapp.net', 'b@s.whatsapp.net']);
  assert.equal(queue.takeDue('b@s.whatsapp.net'), undefined);
  assert.deepEqual(takeAll(queue), ['a-2']);
  assert.equal(queue.nextDueAt(), START_S + 30);
  clock.advance(30_000);
  assert.equal(queue.takeDue('b@s.whatsapp.net')?.message_id, 'b-1');
  assert.equal(queue.nextDueAt(), START_S + 90);
  queue.clear();
  assert.equal(queue.nextDueAt(), null);
  assert.deepEqual([...queue.chats()], []);
});

test('anyDueShowingPresence: a due job that shows presence, in any chat; not a scheduled one before its time', () => {
  const clock = fakeClock(START_S * 1000);
  const queue = createOutboxQueue(clock);
  queue.add(job('quiet'));
  queue.add(
    job('scheduled-presence', { chat_jid: 'b@s.whatsapp.net', send_at: START_S + 60, presence_simulation: true }),
  );
  assert.equal(queue.anyDueShowingPresence(), false);
  clock.advance(60_000);
  assert.equal(queue.anyDueShowingPresence(), true);
  queue.takeDue('b@s.whatsapp.net');
  assert.equal(queue.anyDueShowingPresence(), false);
  queue.add(job('presence', { presence_simulation: true }));
  assert.equal(queue.anyDueShowingPresence(), true);
});
