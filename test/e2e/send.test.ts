import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FAST_TYPING, framesAfresh, startPairedCore, postJson, type TestCore } from '../support/core.ts';
import { ALICE, BOB, CAROL } from '../support/contacts.ts';
import { eventually } from '../support/waits.ts';
import type { InboxEntry } from '../../server/sandbox/simulator.ts';

let h: TestCore;

before(async (t) => {
  h = await startPairedCore(t);
});

const inbox = (number: string): InboxEntry[] => h.core.sandbox!.inbox(number);
const frames = (events: InboxEntry['before']) => events.map((e) => e.value);

async function send(chat: string, body: object) {
  const res = await h.call(`/chats/${chat}/messages`, postJson(body));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data as { message_id: string; status: string; timestamp: number };
}

/**
 * The frames the contact saw around one send made right after `framesAfresh`, once a later message to it has
 * arrived: none of them can still be on their way.
 */
async function framesAround(number: string, messageId: string) {
  const { message_id: later } = await send(number, {
    text: 'a later message',
    typing_simulation: false,
    presence_simulation: false,
  });
  await eventually(() => inbox(number).some((m) => m.message_id === later), 'the later message');
  const entry = inbox(number).find((m) => m.message_id === messageId)!;
  return { before: entry.before, after: entry.after };
}

test('the seed send: the documented answer; the contact sees available, composing, paused, the message, then unavailable', async () => {
  await framesAfresh(h, ALICE);
  const res = await h.call(`/chats/${ALICE}@s.whatsapp.net/messages`, postJson({ text: 'Hello, World!' }));
  assert.equal(res.status, 200);
  const { data, ...envelope } = res.body;
  assert.deepEqual(envelope, { status: true, code: 200, message: 'Message sent successfully' });
  // The documented fields of data (docs/send-message-api.txt); WaGate may add more.
  assert.equal(data.status, 'sent');
  assert.match(data.message_id, /^[0-9A-F]{16,}$/);
  assert.ok(Number.isInteger(data.timestamp) && Math.abs(data.timestamp - Date.now() / 1000) < 60, 'Unix seconds');
  const entry = await eventually(
    () => inbox(ALICE).find((m) => m.message_id === data.message_id),
    'the message in the inbox',
  );
  assert.equal(entry.text, 'Hello, World!');
  const seen = frames(entry.before).filter((value, i, all) => value !== all[i - 1]);
  // The session may still be announcing itself offline right after linking; the send starts at 'available'.
  assert.deepEqual(seen.slice(seen.indexOf('available')), ['available', 'composing', 'paused'], seen.join(' → '));
  await eventually(
    () =>
      frames(inbox(ALICE).find((m) => m.message_id === data.message_id)!.after).includes('unavailable')
        ? true
        : undefined,
    'unavailable after the message',
  );
});

test('the typing time grows with the length of the text', async () => {
  // Measured by what the contact saw, not by the clock: "composing" is said again every refresh_ms while typing lasts.
  const composingFrames = async (text: string) => {
    const { message_id } = await send(ALICE, { text, presence_simulation: false });
    const entry = await eventually(() => inbox(ALICE).find((m) => m.message_id === message_id), 'the message');
    return entry.before.filter((e) => e.value === 'composing').length;
  };
  assert.equal(FAST_TYPING.min_ms < FAST_TYPING.refresh_ms, true, 'a short text types for less than one refresh');
  assert.equal(await composingFrames('ok'), 1);
  // 76 characters at 200 a second, ±10 %: 342–400 ms, so said at 0, 150 and 300 ms.
  const long = 'This is a much longer message that a person would take a while to type out.';
  assert.equal(await composingFrames(long), 3);
});

test('typing without presence: composing and paused, never online or offline', async () => {
  await framesAfresh(h, BOB);
  const { message_id } = await send(BOB, { text: 'typing only', presence_simulation: false });
  const { before, after } = await framesAround(BOB, message_id);
  const seen = frames([...before, ...after]);
  assert.deepEqual(seen, ['composing', 'paused'], seen.join(' → '));
});

test('presence without typing: online before and offline after, never composing', async () => {
  await framesAfresh(h, BOB);
  const { message_id } = await send(BOB, { text: 'presence only', typing_simulation: false });
  const { before, after } = await framesAround(BOB, message_id);
  assert.deepEqual(frames(before), ['available']);
  assert.deepEqual(frames(after), ['unavailable']);
});

test('with both simulations off the contact sees no presence and no typing', async () => {
  await framesAfresh(h, BOB);
  const { message_id } = await send(`+${BOB.slice(0, 1)} ${BOB.slice(1)}`, {
    text: 'plain',
    typing_simulation: false,
    presence_simulation: false,
  });
  const entry = await eventually(() => inbox(BOB).find((m) => m.message_id === message_id), 'the message');
  assert.equal(entry.text, 'plain');
  const { before, after } = await framesAround(BOB, message_id);
  assert.deepEqual([...before, ...after], []);
});

test('reply_to_message_id quotes a message the contact sent; an unknown id is a 404', async () => {
  const { message_id: incoming } = await h.core.sandbox!.sendFromContact(BOB, { text: 'Can you call me?' });
  await eventually(() => h.core.messages.get(incoming) ?? undefined, 'the inbound message stored');
  const listed = await h.call(`/chats/${BOB}/messages?limit=5`);
  assert.ok(
    listed.body.data.some(
      (m: { message_id: string; direction: string }) => m.message_id === incoming && m.direction === 'inbound',
    ),
  );
  const { message_id } = await send(BOB, {
    text: 'Sure, in 5 minutes',
    reply_to_message_id: incoming,
    typing_simulation: false,
  });
  const entry = await eventually(() => inbox(BOB).find((m) => m.message_id === message_id), 'the reply');
  assert.equal(entry.quoted_message_id, incoming);
  const unknown = await h.call(`/chats/${BOB}/messages`, postJson({ text: 'x', reply_to_message_id: 'NOPE123' }));
  assert.equal(unknown.status, 404);
});

test('two concurrent requests to one chat arrive in the order they were made', async () => {
  // The second is made once the first is in the sender's queue, however slow the machine: not after a fixed delay.
  const original = h.core.sender.send;
  const firstQueued = new Promise<void>((resolve) => {
    h.core.sender.send = (request) => {
      h.core.sender.send = original;
      const answer = original(request);
      resolve();
      return answer;
    };
  });
  const first = h.call(
    `/chats/${BOB}/messages`,
    postJson({ text: 'first, and long enough to type for a while', presence_simulation: false }),
  );
  await firstQueued;
  const second = h.call(`/chats/${BOB}/messages`, postJson({ text: 'second', presence_simulation: false }));
  const [a, b] = await Promise.all([first, second]);
  assert.equal(a.status, 200);
  assert.equal(b.status, 200);
  await eventually(
    () => (inbox(BOB).some((m) => m.message_id === b.body.data.message_id) ? true : undefined),
    'both messages',
  );
  const order = inbox(BOB).map((m) => m.text);
  assert.ok(order.indexOf('first, and long enough to type for a while') < order.indexOf('second'), order.join(' | '));
});

test('a number that is not on WhatsApp is a 404, not a message into the void', async () => {
  const res = await h.call(`/chats/${CAROL}/messages`, postJson({ text: 'hello?' }));
  assert.equal(res.status, 404);
  assert.equal(res.body.error, 'Number is not on WhatsApp');
});
