import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY, HOUR, RecentSends } from '../../server/whatsapp/recent-sends.ts';

const START = Date.UTC(2026, 11, 1);
const STEP = 30_000;

/** Sends as pacing counts them: one every 30 s to 20 chats that wrote to us, and on each hour one to a new chat. */
function sendFor(hours: number, messageIds: boolean): { recent: RecentSends; now: number } {
  const recent = new RecentSends([]);
  let now = START;
  for (let k = 0; now < START + hours * HOUR - STEP; k++) {
    now = START + k * STEP;
    recent.push({ chat: `regular${k % 20}`, at: now, newChat: false }, messageIds ? `m${k}` : undefined);
    if (k % (HOUR / STEP) === 0) recent.push({ chat: `reached${k}`, at: now, newChat: true });
    recent.forgetBefore(now);
  }
  return { recent, now };
}

test('after 25 hours it keeps the last hour’s sends and each new chat of the day, not the day’s 2,900 sends', () => {
  const { recent, now } = sendFor(25, false);
  const lastHour = recent.countAfter(now - HOUR);
  const newToday = recent.newChatCountAfter(now - DAY);
  assert.equal(lastHour, 121, 'every 30 s for an hour, and the hour’s new chat');
  assert.equal(newToday, 24, 'the first hour’s new chat left the day');
  assert.equal(recent.kept, lastHour + newToday - 1, 'the last hour’s new chat is one of its sends');
});

test('sends that can still be taken back are kept too, no more than the last 1000', () => {
  const { recent, now } = sendFor(25, true);
  assert.equal(recent.kept, 1000 + recent.newChatCountAfter(now - DAY), 'the last 1000 hold the last hour’s 120');
});
