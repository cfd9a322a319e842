import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPacer, earliestSlot, PacingHoldTooLong } from '../../server/whatsapp/pacing.ts';
import type { PacedSend } from '../../server/store/pacing-history.ts';
import {
  DEFAULT_PACING,
  PacingPolicySchema,
  type PacingPolicy,
  type PacingState,
} from '../../server/contract/pacing.ts';
import { fakeClock } from '../support/fake-clock.ts';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const POLICY: PacingPolicy = {
  enabled: true,
  chat_gap_ms: 3000,
  per_minute: 3,
  per_hour: 5,
  new_chats_per_day: 2,
  jitter_ms: 0,
};
const chat = (n: number) => `1555000${String(n).padStart(4, '0')}@s.whatsapp.net`;
const sent = (n: number, msAgo: number, newChat = false): PacedSend => ({ chat: chat(n), at: NOW - msAgo, newChat });

test('the defaults are on and conservative', () => {
  assert.equal(DEFAULT_PACING.enabled, true);
  assert.ok(DEFAULT_PACING.chat_gap_ms >= 1000);
  assert.ok(DEFAULT_PACING.per_minute <= 20);
  assert.ok(DEFAULT_PACING.new_chats_per_day <= 50);
  assert.ok(DEFAULT_PACING.jitter_ms > 0);
});

test('a single send is not slowed: nothing before it, or a quiet chat', () => {
  assert.deepEqual(earliestSlot([], POLICY, chat(1), true, NOW), { at: NOW, limit: null });
  assert.deepEqual(earliestSlot([sent(1, 10_000)], POLICY, chat(1), false, NOW), { at: NOW, limit: null });
});

test('two messages to one chat are at least the gap apart', () => {
  assert.deepEqual(earliestSlot([sent(1, 1000)], POLICY, chat(1), false, NOW), { at: NOW + 2000, limit: 'chat_gap' });
  assert.deepEqual(earliestSlot([sent(1, 1000)], POLICY, chat(2), false, NOW), { at: NOW, limit: null });
});

test('the caps per minute and per hour count every chat; the longest hold wins', () => {
  const minute = [sent(1, 50_000), sent(2, 40_000), sent(3, 30_000)];
  assert.deepEqual(earliestSlot(minute, POLICY, chat(4), false, NOW), { at: NOW + 10_000, limit: 'per_minute' });
  const hour = [sent(1, 3_000_000), sent(2, 2_000_000), sent(3, 1_000_000), sent(4, 500_000), sent(5, 100_000)];
  assert.deepEqual(earliestSlot(hour, POLICY, chat(6), false, NOW), { at: NOW + 600_000, limit: 'per_hour' });
});

test('new chats per day: only chats that never wrote to us count, each once, for 24 hours after the last send', () => {
  const day = 24 * 3_600_000;
  const opened = [sent(1, 20 * 3_600_000, true), sent(2, 10 * 3_600_000, true), sent(1, 5 * 3_600_000, true)];
  // Chat 1 was written to again 5 h ago: it counts until then + 24 h, chat 2 frees its place first.
  assert.deepEqual(earliestSlot(opened, POLICY, chat(3), true, NOW), {
    at: NOW - 10 * 3_600_000 + day,
    limit: 'new_chats_per_day',
  });
  assert.equal(earliestSlot(opened, POLICY, chat(1), true, NOW).limit, null, 'a chat already opened today');
  assert.equal(earliestSlot(opened, POLICY, chat(3), false, NOW).limit, null, 'a chat that has written to us');
  assert.equal(earliestSlot([], { ...POLICY, new_chats_per_day: 0 }, chat(3), true, NOW).at, Infinity);
});

test('pacing off lets everything go at once', () => {
  const busy = [sent(1, 100), sent(1, 200), sent(1, 300), sent(1, 400)];
  assert.deepEqual(earliestSlot(busy, { ...POLICY, enabled: false }, chat(1), true, NOW), { at: NOW, limit: null });
});

test('hold: the first message goes at once, the next waits its slot plus jitter, and says how long it waited', async () => {
  const clock = fakeClock(NOW);
  const states: PacingState[] = [];
  const pacer = createPacer({
    policy: { ...POLICY, jitter_ms: 1000 },
    clock,
    random: () => 0.25,
    onChange: (s) => states.push(s),
  });
  assert.equal(await pacer.hold(chat(1), false, 60_000), 0);
  const second = pacer.hold(chat(1), false, 60_000);
  await Promise.resolve();
  assert.deepEqual(pacer.state().waiting, [
    { message_id: null, chat_jid: chat(1), until: Math.ceil((NOW + 3250) / 1000), limit: 'chat_gap' },
  ]);
  clock.advance(3249);
  await Promise.resolve();
  assert.equal(pacer.state().waiting.length, 1, 'not a moment early');
  clock.advance(1);
  assert.equal(await second, 3250);
  assert.deepEqual(pacer.state().waiting, []);
  assert.deepEqual(pacer.state().usage, { last_minute: 2, last_hour: 2, new_chats_today: 0 });
  assert.ok(states.some((s) => s.waiting.length === 1) && states.at(-1)!.waiting.length === 0);
});

test('changes are told only while someone watches them: the state is not worked out per send for nobody', async () => {
  const clock = fakeClock(NOW);
  const states: PacingState[] = [];
  let watching = false;
  const pacer = createPacer({
    policy: { ...POLICY, enabled: false },
    clock,
    onChange: (s) => states.push(s),
    watched: () => watching,
  });
  await pacer.hold(chat(1), true, 0, 'A');
  assert.equal(states.length, 0, 'nobody watched');
  watching = true;
  await pacer.hold(chat(2), true, 0, 'B');
  assert.deepEqual(
    states.map((s) => s.usage),
    [{ last_minute: 2, last_hour: 2, new_chats_today: 2 }],
    'the change told counts the send made unwatched too',
  );
});

test("giveBack: a held message that did not leave takes no place: the chat's next one waits only for the one before", async () => {
  const clock = fakeClock(NOW);
  const pacer = createPacer({ policy: POLICY, clock });
  await pacer.hold(chat(1), false, 0, 'A');
  const cancelled = pacer.hold(chat(1), false, Infinity, 'B');
  clock.advance(3000);
  assert.equal(await cancelled, 3000);
  pacer.giveBack('B');
  assert.deepEqual(pacer.state().usage, { last_minute: 1, last_hour: 1, new_chats_today: 0 });
  assert.equal(await pacer.hold(chat(1), false, 0, 'C'), 0, 'a gap after A, not after B');
  pacer.giveBack('unknown');
  assert.equal(pacer.state().usage.last_minute, 2);
});

test('takeNow: a message nothing holds back is counted at once; one that would be held is not, and nothing is counted', () => {
  const clock = fakeClock(NOW);
  const pacer = createPacer({ policy: POLICY, clock });
  assert.equal(pacer.takeNow(chat(1), false, 'A'), true);
  assert.equal(pacer.takeNow(chat(1), false, 'B'), false, 'within the chat gap');
  assert.deepEqual(pacer.state().usage, { last_minute: 1, last_hour: 1, new_chats_today: 0 });
  assert.deepEqual(pacer.state().waiting, [], 'not held either: its turn decides');
  pacer.giveBack('A');
  assert.equal(pacer.takeNow(chat(1), false, 'C'), true, 'given back, it takes no place');
});

test('hold: longer than the sender can wait is refused at once, and nothing is counted', async () => {
  const clock = fakeClock(NOW);
  const pacer = createPacer({ policy: POLICY, clock });
  await pacer.hold(chat(1), false, 0);
  await assert.rejects(pacer.hold(chat(1), false, 2999), (error: unknown) => {
    assert.ok(error instanceof PacingHoldTooLong);
    assert.deepEqual(error.slot, { at: NOW + 3000, limit: 'chat_gap' });
    return true;
  });
  assert.equal(pacer.state().usage.last_minute, 1);
  assert.deepEqual(pacer.state().waiting, []);
});

test('a new policy applies at once: a held message goes as soon as the looser policy allows', async () => {
  const clock = fakeClock(NOW);
  const pacer = createPacer({ policy: POLICY, clock });
  await pacer.hold(chat(1), true, 0);
  await pacer.hold(chat(2), true, 0);
  const third = pacer.hold(chat(3), true, Infinity);
  await Promise.resolve();
  assert.equal(pacer.state().waiting[0]?.limit, 'new_chats_per_day');
  pacer.setPolicy({ ...POLICY, new_chats_per_day: 3 });
  assert.equal(await third, 0);
  assert.equal(pacer.state().usage.new_chats_today, 3);
});

test('a policy that allows no new chat holds one until the policy changes, without a timer firing it early', async () => {
  const clock = fakeClock(NOW);
  const pacer = createPacer({ policy: { ...POLICY, new_chats_per_day: 0 }, clock });
  let done = false;
  const held = pacer.hold(chat(1), true, Infinity).then(() => (done = true));
  clock.advance(7 * 24 * 3_600_000);
  await Promise.resolve();
  assert.equal(done, false);
  assert.deepEqual(pacer.state().waiting, [
    { message_id: null, chat_jid: chat(1), until: null, limit: 'new_chats_per_day' },
  ]);
  pacer.setPolicy(POLICY);
  await held;
});

test('sends before a restart still count: the history from the store', async () => {
  const clock = fakeClock(NOW);
  const pacer = createPacer({ policy: POLICY, clock, history: [sent(1, 1000)] });
  await assert.rejects(pacer.hold(chat(1), false, 1000), PacingHoldTooLong);
});

test('giveBack of a new chat’s latest send: the chat still counts for the day, from its send hours before', async () => {
  const clock = fakeClock(NOW);
  const pacer = createPacer({ policy: POLICY, clock });
  await pacer.hold(chat(1), true, 0, 'A');
  clock.advance(2 * 3_600_000);
  await pacer.hold(chat(1), true, 0, 'B');
  await pacer.hold(chat(2), true, 0, 'C');
  pacer.giveBack('B');
  assert.equal(pacer.state().usage.new_chats_today, 2);
  // Two new chats today, the cap: a third waits until A's day ends, not B's.
  await assert.rejects(pacer.hold(chat(3), true, 0), (error: unknown) => {
    assert.ok(error instanceof PacingHoldTooLong);
    assert.deepEqual(error.slot, { at: NOW + 24 * 3_600_000, limit: 'new_chats_per_day' });
    return true;
  });
  clock.advance(22 * 3_600_000);
  assert.equal(pacer.state().usage.new_chats_today, 1, 'chat 1 left the day with A');
});

test('the chat gap holds at the largest the contract allows, an hour, however many sends to other chats', async () => {
  const largest = 3_600_000;
  assert.equal(PacingPolicySchema.safeParse({ chat_gap_ms: largest + 1 }).success, false);
  const clock = fakeClock(NOW);
  const pacer = createPacer({ policy: { ...POLICY, chat_gap_ms: largest, per_minute: 1000, per_hour: 10_000 }, clock });
  await pacer.hold(chat(1), false, 0);
  for (let minute = 1; minute < 60; minute++) {
    clock.advance(60_000);
    await pacer.hold(chat(100 + minute), false, 0);
  }
  clock.advance(59_999);
  await pacer.hold(chat(2), false, 0);
  await assert.rejects(pacer.hold(chat(1), false, 0), (error: unknown) => {
    assert.ok(error instanceof PacingHoldTooLong);
    assert.deepEqual(error.slot, { at: NOW + largest, limit: 'chat_gap' });
    return true;
  });
  clock.advance(1);
  assert.equal(await pacer.hold(chat(1), false, 0), 0);
});

test('the pacer, which forgets what no limit reaches, answers as the whole history would: 3,000 random steps', async () => {
  let seed = 15;
  const random = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
  const policy = { ...POLICY, chat_gap_ms: 3_600_000, per_minute: 4, per_hour: 40, new_chats_per_day: 3 };
  const clock = fakeClock(NOW);
  const pacer = createPacer({ policy, clock });
  const history: (PacedSend & { id: string })[] = [];
  for (let step = 0; step < 3000; step++) {
    const now = clock.now();
    const [to, newChat, id] = [chat(random(8)), random(3) > 0, `m${step}`];
    const expected = earliestSlot(history, policy, to, newChat, now);
    const answer = await pacer.hold(to, newChat, 0, id).catch((error: PacingHoldTooLong) => error.slot);
    assert.deepEqual(answer, expected.limit === null ? 0 : expected, `step ${step}`);
    if (answer === 0) history.push({ chat: to, at: now, newChat, id });
    if (random(5) === 0 && history.length > 0) {
      const [given] = history.splice(history.length - 1 - random(Math.min(history.length, 20)), 1);
      pacer.giveBack(given!.id);
    }
    const since = (ms: number) => history.filter((s) => s.at > now - ms);
    const opened = new Set(
      since(24 * 3_600_000)
        .filter((s) => s.newChat)
        .map((s) => s.chat),
    );
    assert.deepEqual(pacer.state().usage, {
      last_minute: since(60_000).length,
      last_hour: since(3_600_000).length,
      new_chats_today: opened.size,
    });
    clock.advance([random(20_000), random(3_600_000), random(6 * 3_600_000)][random(3)]!);
  }
});
