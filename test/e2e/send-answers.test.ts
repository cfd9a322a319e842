import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPairedCore, postJson, type TestCore } from '../support/core.ts';
import { ALICE, CAROL, jidOf } from '../support/contacts.ts';
import { fakeClock, type FakeClock } from '../support/fake-clock.ts';
import { eventually, waitForEvent, waitForState } from '../support/waits.ts';
import { EXACT_PACING } from '../support/pacing.ts';

/**
 * What `POST /chats/{chat_jid}/messages` answers for each way a message can end while its request waits: sent,
 * refused by WhatsApp, cancelled, the device unlinked, not on WhatsApp, scheduled or async. Pacing holds the second
 * message to a chat for 5 s of a fake clock: time enough to act while a request waits, without waiting.
 */

let h: TestCore;
let clock: FakeClock;
let contacts = 0;

before(async (t) => {
  clock = fakeClock(Date.now());
  h = await startPairedCore(t, { config: { pacing: EXACT_PACING }, clock });
});

/** A contact WaGate has never written to: its own pacing, its own inbox. */
const newContact = () =>
  h.core.sandbox!.addContact({
    number: `1555777${String(++contacts).padStart(4, '0')}`,
    name: 'New',
    on_whatsapp: true,
  }).number;
const send = (number: string, body: Record<string, unknown> = {}) =>
  h.call(
    `/chats/${number}/messages`,
    postJson({ text: `to ${number}`, typing_simulation: false, presence_simulation: false, ...body }),
  );
const inboxIds = (number: string) => h.core.sandbox!.inbox(number).map((e) => e.message_id);
const nowSeconds = () => Math.floor(clock.now() / 1000);

/**
 * A send that the clock moves on for whenever pacing holds it. (A message cancelled while held still takes its
 * place in the chat's pacing today: the next one waits a gap after it. NOTES.md, known gaps.)
 */
async function sendThroughPacing(number: string, body: Record<string, unknown>) {
  // Once the hold has set its timer: pacing announces the hold just before.
  const release = (s: { waiting: unknown[] }) => {
    if (s.waiting.length > 0) queueMicrotask(() => clock.advance(EXACT_PACING.chat_gap_ms));
  };
  h.core.events.on('pacing.changed', release);
  try {
    return await send(number, body);
  } finally {
    h.core.events.off('pacing.changed', release);
  }
}

/** A second send to `number`, held back by pacing: its pending answer and its id, announced as queued. */
async function heldSend(number: string) {
  const first = await send(number, { text: 'first' });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.data.paced_ms, undefined, 'the first is not held');
  const queued = waitForEvent(
    h.core,
    'message.status',
    (c) => c.chat_jid === jidOf(number) && c.status === 'queued' && c.message_id !== first.body.data.message_id,
    'the second message queued',
  );
  const held = waitForEvent(h.core, 'pacing.changed', (s) => s.waiting.length > 0, 'the second held back');
  const answer = send(number, { text: 'second' });
  const [[change]] = await Promise.all([queued, held]);
  return { answer, id: change.message_id, first: first.body.data.message_id as string };
}

test('a send that pacing holds answers 200 once it has left, saying how long it waited', async () => {
  const number = newContact();
  const { answer, id, first } = await heldSend(number);
  clock.advance(5000);
  const res = await answer;
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(
    { id: res.body.data.message_id, status: res.body.data.status, paced_ms: res.body.data.paced_ms },
    { id, status: 'sent', paced_ms: 5000 },
  );
  assert.deepEqual(Object.keys(res.body.data).sort(), ['message_id', 'paced_ms', 'status', 'timestamp']);
  await eventually(() => inboxIds(number).includes(id), 'the second message');
  assert.deepEqual(inboxIds(number), [first, id]);
});

test('a message cancelled while its request waits: the request answers 409, and the message never leaves', async () => {
  const number = newContact();
  const { answer, id, first } = await heldSend(number);
  const del = await h.call(`/messages/${id}`, { method: 'DELETE' });
  assert.equal(del.status, 200, JSON.stringify(del.body));
  const res = await answer;
  assert.deepEqual(res.body, {
    status: false,
    code: 409,
    message: 'Conflict',
    error: 'The message was cancelled before it left',
  });
  clock.advance(5000);
  const next = await sendThroughPacing(number, { text: 'after the cancelled one' });
  assert.equal(next.status, 200, JSON.stringify(next.body));
  assert.deepEqual(inboxIds(number), [first, next.body.data.message_id], 'the cancelled one never left');
});

test('WhatsApp refusing the message: 500 with its error code', async () => {
  const number = newContact();
  h.core.sandbox!.rejectMessages(number, 463);
  const res = await send(number);
  assert.deepEqual(res.body, {
    status: false,
    code: 500,
    message: 'Internal server error',
    error: 'WhatsApp refused the message (error 463)',
  });
});

test('a number not on WhatsApp is a 404 before anything is queued: nothing in the outbox, no event', async () => {
  const mark = h.core.eventLog.latestId();
  const res = await send(CAROL);
  assert.deepEqual(res.body, { status: false, code: 404, message: 'Not found', error: 'Number is not on WhatsApp' });
  const outbox = (await h.call('/outbox')).body.data as unknown[];
  assert.equal(JSON.stringify(outbox).includes(CAROL), false, JSON.stringify(outbox));
  assert.equal(h.core.eventLog.latestId(), mark, 'no message.status event for it');
});

test('send_at: past is now (200 once sent), future is 202 scheduled at once; async is 202 queued at once', async () => {
  const number = newContact();
  const past = await send(number, { text: 'due already', send_at: nowSeconds() - 60 });
  assert.equal(past.status, 200, JSON.stringify(past.body));
  assert.equal(past.body.data.status, 'sent');
  const later = nowSeconds() + 3600;
  const scheduled = await send(newContact(), { text: 'in an hour', send_at: later });
  assert.equal(scheduled.status, 202, JSON.stringify(scheduled.body));
  assert.deepEqual(
    { status: scheduled.body.data.status, send_at: scheduled.body.data.send_at },
    { status: 'queued', send_at: later },
  );
  const queued = await send(newContact(), { text: 'do not wait', async: true });
  assert.equal(queued.status, 202, JSON.stringify(queued.body));
  assert.deepEqual(
    { status: queued.body.data.status, send_at: queued.body.data.send_at },
    { status: 'queued', send_at: null },
  );
});

test('to a group: 404 when the phone is not in it; mentions reach members as the group addresses them', async () => {
  const notIn = await send('120363000000000003@g.us');
  assert.deepEqual(notIn.body, { status: false, code: 404, message: 'Not found', error: 'Group not found' });
  const lidOf = (number: string) => h.core.sandbox!.contacts().find((c) => c.number === number)!.lid!;
  // Family addresses its members by LID, the book club by phone number: each is mentioned as its group knows them.
  for (const [group, mention, mentioned] of [
    ['120363000000000001@g.us', jidOf(ALICE), lidOf(ALICE)],
    ['120363000000000002@g.us', lidOf(ALICE), jidOf(ALICE)],
  ] as const) {
    const res = await send(group, { text: `@${ALICE}`, mentions: [mention] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const id = res.body.data.message_id;
    const entry = await eventually(() => h.core.sandbox!.groupInbox(group).find((e) => e.message_id === id), group);
    assert.deepEqual(entry.mentions, [mentioned], group);
  }
});

// Last: it unlinks the device.
test('the phone unlinking the device while a request waits: 503, nothing was sent', async () => {
  const number = newContact();
  const { answer, id } = await heldSend(number);
  await h.core.sandbox!.unlink();
  const res = await answer;
  assert.deepEqual(res.body, {
    status: false,
    code: 503,
    message: 'Service unavailable',
    error: 'WhatsApp is not connected',
  });
  await waitForState(h.core, 'qr');
  assert.equal(inboxIds(number).includes(id), false);
});
