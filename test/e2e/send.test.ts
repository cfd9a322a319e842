import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPairedCore, postJson, type TestCore } from '../support/core.ts';
import { ALICE, BOB, CAROL } from '../support/contacts.ts';
import { eventually } from '../support/waits.ts';
import type { InboxEntry } from '../../server/sandbox/simulator.ts';

let h: TestCore;

before(async (t) => {
  h = await startPairedCore(t);
});

const inbox = (number: string): InboxEntry[] => h.core.sandbox!.inbox(number);
const frames = (events: InboxEntry['before']) => events.map((e) => e.value);
/** The presence and chatstate frames of one send: those after the request was made. */
const framesSince = (events: InboxEntry['before'], since: number) => events.filter((e) => e.at >= since);

async function send(chat: string, body: object) {
  const res = await h.call(`/chats/${chat}/messages`, postJson(body));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data as { message_id: string; status: string; timestamp: number };
}

test('the seed send: the contact sees available, composing, paused, the message, then unavailable', async () => {
  const since = Date.now();
  const data = await send(`${ALICE}@s.whatsapp.net`, { text: 'Hello, World!' });
  assert.equal(data.status, 'sent');
  assert.ok(Math.abs(data.timestamp - Date.now() / 1000) < 60);
  const entry = await eventually(
    () => inbox(ALICE).find((m) => m.message_id === data.message_id),
    'the message in the inbox',
  );
  assert.equal(entry.text, 'Hello, World!');
  const seen = frames(framesSince(entry.before, since)).filter((value, i, all) => value !== all[i - 1]);
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
  const typingMs = async (text: string) => {
    const { message_id } = await send(ALICE, { text });
    const entry = await eventually(() => inbox(ALICE).find((m) => m.message_id === message_id), 'the message');
    const composing = entry.before.find((e) => e.value === 'composing')!;
    const paused = entry.before.findLast((e) => e.value === 'paused')!;
    return paused.at - composing.at;
  };
  const short = await typingMs('ok');
  const long = await typingMs('This is a much longer message that a person would take a while to type out.');
  assert.ok(long > short, `typing for a long text (${long} ms) should last longer than for a short one (${short} ms)`);
});

test('with both simulations off the contact sees no presence and no typing', async () => {
  await new Promise((r) => setTimeout(r, 300));
  const since = Date.now();
  const { message_id } = await send(`+${ALICE.slice(0, 1)} ${ALICE.slice(1)}`, {
    text: 'plain',
    typing_simulation: false,
    presence_simulation: false,
  });
  const entry = await eventually(() => inbox(ALICE).find((m) => m.message_id === message_id), 'the message');
  assert.equal(entry.text, 'plain');
  await new Promise((r) => setTimeout(r, 300));
  const latest = inbox(ALICE).find((m) => m.message_id === message_id)!;
  assert.deepEqual([...framesSince(latest.before, since), ...framesSince(latest.after, since)], []);
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
  const first = h.call(
    `/chats/${BOB}/messages`,
    postJson({ text: 'first, and long enough to type for a while', presence_simulation: false }),
  );
  await new Promise((r) => setTimeout(r, 5));
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
