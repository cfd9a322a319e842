import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPairedCore, postJson, type TestCore } from '../support/core.ts';
import { ALICE, CAROL, DANA, jidOf } from '../support/contacts.ts';
import { fakeClock, type FakeClock } from '../support/fake-clock.ts';
import { eventually, waitForEvent, waitForState } from '../support/waits.ts';
import { EXACT_PACING } from '../support/pacing.ts';
import { OutboxConfigSchema } from '../../server/config.ts';
import { DEFAULT_LIMITS } from '../../server/contract/limits.ts';

/**
 * What `POST /chats/{chat_jid}/messages` answers for each way a message can end while its request waits: sent,
 * refused by WhatsApp, cancelled, not confirmed in time, expired, the device unlinked, WaGate stopping, not on
 * WhatsApp, scheduled or async; and what the outbox's retry, drop and cancel answer. Pacing holds the second message
 * to a chat for 5 s of a fake clock: time enough to act while a request waits, without waiting. The fast file of the
 * sender's mutation run (stryker.config.mjs): each test here kills mutants of server/whatsapp/sender.ts.
 */

/** The synchronous wait (longer than the 5 s pacing hold) and the outbox's lifetime (shorter than the wait). */
const OUTBOX = OutboxConfigSchema.parse({ sync_wait_ms: 600_000, expire_after_s: 300 });

let h: TestCore;
let clock: FakeClock;
let contacts = 0;

before(async (t) => {
  clock = fakeClock(Date.now());
  // A stop waits this long for the requests in flight before it answers those still waiting for WhatsApp.
  const limits = { ...DEFAULT_LIMITS, drainMs: 100 };
  h = await startPairedCore(t, { config: { pacing: EXACT_PACING, outbox: OUTBOX, limits }, clock });
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
const stored = async (id: string) => (await h.call(`/messages/${id}`)).body.data;
const outboxIds = async () =>
  ((await h.call('/outbox')).body.data as { message_id: string }[]).map((e) => e.message_id);
const statusOf = (id: string, status: string, reason?: string) =>
  waitForEvent(
    h.core,
    'message.status',
    (c) => c.message_id === id && c.status === status && c.reason === reason,
    `${id} ${status}`,
  );
const failure = (code: number, message: string, error: string) => ({ status: false, code, message, error });
const notFound = (error: string) => failure(404, 'Not found', error);
const conflict = (error: string) => failure(409, 'Conflict', error);

/** A send that the clock moves on for whenever pacing holds it. */
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
  assert.deepEqual(Object.keys(first.body.data).sort(), ['message_id', 'status', 'timestamp'], 'not held: no paced_ms');
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

/** WhatsApp unreachable until `back()`: the session is reconnecting meanwhile. */
async function outage() {
  h.core.sandbox!.fault({ kind: 'refuse', duration_ms: 600_000 });
  await waitForState(h.core, 'reconnecting');
  return {
    back: async () => {
      h.core.sandbox!.fault({ kind: 'refuse', duration_ms: 0 });
      await waitForState(h.core, 'connected');
    },
  };
}

test('a send that pacing holds answers 200 once it has left, saying how long it waited', async () => {
  const number = newContact();
  const { answer, id, first } = await heldSend(number);
  // Another chat's message goes meanwhile: its answer is its own, and the held request goes on waiting.
  const other = newContact();
  const quick = await send(other);
  assert.equal(quick.status, 200, JSON.stringify(quick.body));
  clock.advance(5000);
  const res = await answer;
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(
    { id: res.body.data.message_id, status: res.body.data.status, paced_ms: res.body.data.paced_ms },
    { id, status: 'sent', paced_ms: 5000 },
  );
  assert.deepEqual(Object.keys(res.body.data).sort(), ['message_id', 'paced_ms', 'status', 'timestamp']);
  assert.equal(res.body.data.timestamp, (await stored(id)).status_times.sent, 'when WhatsApp took it');
  await eventually(() => inboxIds(number).includes(id), 'the second message');
  assert.deepEqual(inboxIds(number), [first, id]);
  assert.deepEqual(inboxIds(other), [quick.body.data.message_id]);
});

test('a message cancelled while pacing holds it: its request answers 409, it never leaves, and takes no place in pacing', async () => {
  const number = newContact();
  const { answer, id, first } = await heldSend(number);
  const del = await h.call(`/messages/${id}`, { method: 'DELETE' });
  assert.equal(del.status, 200, JSON.stringify(del.body));
  assert.deepEqual(del.body.data, {
    message_id: id,
    chat_jid: jidOf(number),
    status: 'failed',
    at: nowSeconds(),
    reason: 'cancelled',
  });
  const res = await answer;
  assert.deepEqual(res.body, conflict('The message was cancelled before it left'));
  // The gap after the first message: the next one leaves at once, as if the cancelled one had never been.
  clock.advance(EXACT_PACING.chat_gap_ms);
  const next = await sendThroughPacing(number, { text: 'after the cancelled one' });
  assert.equal(next.status, 200, JSON.stringify(next.body));
  assert.equal(next.body.data.paced_ms, undefined, 'not held a gap after the cancelled message');
  assert.deepEqual(inboxIds(number), [first, next.body.data.message_id], 'the cancelled one never left');
});

test('cancelling what cannot be cancelled: 404 for an unknown id, 409 for a message that has left or was cancelled', async () => {
  const unknown = await h.call('/messages/3EB0000000000000NONE', { method: 'DELETE' });
  assert.deepEqual(unknown.body, notFound('Message not found'));
  const sent = await send(newContact());
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  const left = await h.call(`/messages/${sent.body.data.message_id}`, { method: 'DELETE' });
  assert.deepEqual(
    left.body,
    conflict('The message has already left (or is not in the outbox): it cannot be cancelled'),
  );
});

test('WhatsApp refusing the message: 500 with its error code; a retry sends it with the same id', async () => {
  const number = newContact();
  h.core.sandbox!.rejectMessages(number, 463);
  const res = await send(number);
  assert.deepEqual(res.body, failure(500, 'Internal server error', 'WhatsApp refused the message (error 463)'));
  const id = (await eventually(async () => {
    const entries = (await h.call('/outbox')).body.data as { message_id: string; chat_jid: string }[];
    return entries.find((e) => e.chat_jid === jidOf(number));
  }, 'the failed message in the outbox'))!.message_id;
  h.core.sandbox!.rejectMessages(number, null);
  const requeued = statusOf(id, 'queued');
  const retried = await h.call(`/outbox/${id}/retry`, { method: 'POST' });
  assert.equal(retried.status, 200, JSON.stringify(retried.body));
  await requeued;
  assert.deepEqual(retried.body.data, { message_id: id, chat_jid: jidOf(number), status: 'queued', at: nowSeconds() });
  await eventually(() => inboxIds(number).includes(id), 'the retried message');
  assert.deepEqual(inboxIds(number), [id], 'once, with the same id');
  const again = await h.call(`/outbox/${id}/retry`, { method: 'POST' });
  assert.deepEqual(again.body, notFound('No failed message with this id in the outbox'));
});

test('dropping from the outbox: a failed message is forgotten; an unknown one is a 404', async () => {
  const number = newContact();
  h.core.sandbox!.rejectMessages(number, 463);
  const failed = waitForEvent(
    h.core,
    'message.status',
    (c) => c.chat_jid === jidOf(number) && c.status === 'failed',
    'the message refused',
  );
  const res = await send(number, { async: true });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const id = res.body.data.message_id;
  assert.equal((await failed)[0].reason, 'server_rejected:463');
  const changed = waitForEvent(h.core, 'outbox.changed', () => true, 'the outbox changed');
  const dropped = await h.call(`/outbox/${id}`, { method: 'DELETE' });
  assert.equal(dropped.status, 200, JSON.stringify(dropped.body));
  assert.deepEqual(dropped.body.data, { message_id: id });
  await changed;
  assert.equal((await outboxIds()).includes(id), false);
  const gone = await h.call(`/outbox/${id}`, { method: 'DELETE' });
  assert.deepEqual(gone.body, notFound('No message with this id in the outbox'));
  assert.deepEqual(inboxIds(number), []);
});

test('a number not on WhatsApp is a 404 before anything is queued: nothing in the outbox, no event', async () => {
  const mark = h.core.eventLog.latestId();
  const res = await send(CAROL);
  assert.deepEqual(res.body, notFound('Number is not on WhatsApp'));
  const outbox = (await h.call('/outbox')).body.data as unknown[];
  assert.equal(JSON.stringify(outbox).includes(CAROL), false, JSON.stringify(outbox));
  // Only events about this number: a late one from an earlier test (a receipt, the outbox) may land meanwhile.
  const aboutIt = h.core.eventLog.since(mark).filter((e) => JSON.stringify(e).includes(CAROL));
  assert.deepEqual(aboutIt, [], 'no event for it');
});

test('replying to a message of another chat is a 404, and nothing is queued', async () => {
  const elsewhere = await send(newContact());
  assert.equal(elsewhere.status, 200, JSON.stringify(elsewhere.body));
  const res = await send(newContact(), { reply_to_message_id: elsewhere.body.data.message_id });
  assert.deepEqual(res.body, notFound('Message to reply to was not found'));
});

test('send_at: past or now is now (200 once sent), future is 202 scheduled at once; async is 202 queued at once', async () => {
  const number = newContact();
  const past = await send(number, { text: 'due already', send_at: nowSeconds() - 60 });
  assert.equal(past.status, 200, JSON.stringify(past.body));
  assert.equal(past.body.data.status, 'sent');
  const now = await send(newContact(), { text: 'due now', send_at: nowSeconds() });
  assert.equal(now.status, 200, JSON.stringify(now.body));
  assert.equal(now.body.data.status, 'sent');
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

test('dropping a scheduled message from the outbox cancels it: failed as cancelled, never sent', async () => {
  const number = newContact();
  const scheduled = await send(number, { send_at: nowSeconds() + 3600 });
  assert.equal(scheduled.status, 202, JSON.stringify(scheduled.body));
  const id = scheduled.body.data.message_id;
  const cancelled = statusOf(id, 'failed', 'cancelled');
  const dropped = await h.call(`/outbox/${id}`, { method: 'DELETE' });
  assert.equal(dropped.status, 200, JSON.stringify(dropped.body));
  await cancelled;
  const row = await stored(id);
  assert.deepEqual({ status: row.status, reason: row.failure_reason }, { status: 'failed', reason: 'cancelled' });
});

test('not confirmed within sync_wait_ms: 202 pending, and the message still leaves', async () => {
  const number = newContact();
  const { answer, id } = await heldSend(number);
  clock.advance(OUTBOX.sync_wait_ms);
  const res = await answer;
  assert.equal(res.status, 202, JSON.stringify(res.body));
  assert.deepEqual(res.body, {
    status: true,
    code: 202,
    message: 'Message accepted; WhatsApp has not confirmed it yet and it will be sent as soon as it can',
    data: { message_id: id, status: 'pending', send_at: null },
  });
  assert.equal(res.headers.get('location'), `/messages/${id}`);
  await eventually(() => inboxIds(number).includes(id), 'the pending message');
});

test('to a LID: stored under the number once WhatsApp has told the two apart; a LID it does not know is a 404', async () => {
  const danaLid = h.core.sandbox!.contacts().find((c) => c.number === DANA)!.lid!;
  // Dana is LID-migrated: written to by number, her message goes to her LID, and WaGate learns which LID is hers.
  const byNumber = await send(DANA);
  assert.equal(byNumber.status, 200, JSON.stringify(byNumber.body));
  const byLid = await sendThroughPacing(danaLid, {});
  assert.equal(byLid.status, 200, JSON.stringify(byLid.body));
  for (const res of [byNumber, byLid]) {
    const row = await stored(res.body.data.message_id);
    assert.deepEqual({ chat_jid: row.chat_jid, chat_lid: row.chat_lid }, { chat_jid: jidOf(DANA), chat_lid: danaLid });
  }
  const unknown = await send('999999999999999@lid');
  assert.deepEqual(unknown.body, notFound('LID is not known to WhatsApp'));
});

test("a poll leaves with a secret of its own: the contact's vote on it comes back readable", async () => {
  const number = newContact();
  const res = await h.call(
    `/chats/${number}/polls`,
    postJson({ question: 'Which day?', options: ['Mon', 'Tue'], typing_simulation: false, presence_simulation: false }),
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const poll = res.body.data.message_id;
  await eventually(() => inboxIds(number).includes(poll), 'the poll at the contact');
  const voted = waitForEvent(h.core, 'poll.vote', (v) => v.message_id === poll, 'the vote');
  await h.core.sandbox!.sendActionFromContact(number, { kind: 'poll_vote', poll_message_id: poll, options: ['Tue'] });
  assert.deepEqual((await voted)[0].options, ['Tue']);
});

test('to a group: 404 when the phone is not in it; mentions reach members as the group addresses them', async () => {
  const notIn = await send('120363000000000003@g.us');
  assert.deepEqual(notIn.body, notFound('Group not found'));
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

test('a message that has left but is not acked yet can be neither dropped nor cancelled (409); it arrives once', async () => {
  const number = newContact();
  h.core.sandbox!.fault({ kind: 'hold_acks' });
  const res = await send(number, { async: true });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const id = res.body.data.message_id;
  await eventually(() => inboxIds(number).includes(id), 'the message at the contact, its ack held');
  const dropped = await h.call(`/outbox/${id}`, { method: 'DELETE' });
  assert.deepEqual(dropped.body, conflict('The message has already left: it cannot be dropped'));
  const cancelled = await h.call(`/messages/${id}`, { method: 'DELETE' });
  assert.deepEqual(
    cancelled.body,
    conflict('The message has already left (or is not in the outbox): it cannot be cancelled'),
  );
  // The ack is lost with the connection: the message goes again, with the same id, and is kept once.
  const sent = statusOf(id, 'sent');
  h.core.sandbox!.fault({ kind: 'drop' });
  await sent;
  assert.deepEqual(inboxIds(number), [id]);
});

test('while WhatsApp is away sends are accepted, not refused, and answered once it is back', async () => {
  const account = h.core.session.snapshot().account!.jid;
  const away = await outage();
  const number = newContact();
  const queued = await send(number, { async: true });
  assert.equal(queued.status, 202, JSON.stringify(queued.body));
  const id = queued.body.data.message_id;
  // Not looked up yet: stored under the address it was sent to, from the linked account.
  const row = await stored(id);
  assert.deepEqual(
    {
      chat_jid: row.chat_jid,
      chat_lid: row.chat_lid,
      sender: row.sender,
      direction: row.direction,
      status: row.status,
      timestamp: row.timestamp,
    },
    {
      chat_jid: jidOf(number),
      chat_lid: null,
      sender: account,
      direction: 'outbound',
      status: 'queued',
      timestamp: nowSeconds(),
    },
  );
  // A number WhatsApp was asked about before: known not to be on it, but only WhatsApp can say so for sure now.
  const toCarol = send(CAROL);
  await waitForEvent(
    h.core,
    'message.status',
    (c) => c.chat_jid === jidOf(CAROL) && c.status === 'queued',
    'the message to Carol queued',
  );
  await away.back();
  assert.deepEqual((await toCarol).body, notFound('Number is not on WhatsApp'));
  await eventually(() => inboxIds(number).includes(id), 'the message sent while away');
});

test('a message that cannot leave within expire_after_s fails: its request answers 500, nothing is sent', async () => {
  const away = await outage();
  const number = newContact();
  const queued = waitForEvent(
    h.core,
    'message.status',
    (c) => c.chat_jid === jidOf(number) && c.status === 'queued',
    'the message queued',
  );
  const answer = send(number);
  const [change] = await queued;
  clock.advance((OUTBOX.expire_after_s + 1) * 1000);
  await away.back();
  assert.deepEqual((await answer).body, failure(500, 'Internal server error', 'Failed to send message'));
  assert.equal((await stored(change.message_id)).failure_reason, 'expired');
  assert.deepEqual(inboxIds(number), []);
});

test('WaGate stopping while a request waits: 202 pending, and the message leaves after the restart, once', async () => {
  const number = newContact();
  h.core.sandbox!.fault({ kind: 'hold_acks' });
  const queued = waitForEvent(
    h.core,
    'message.status',
    (c) => c.chat_jid === jidOf(number) && c.status === 'queued',
    'the message queued',
  );
  const answer = send(number);
  const [{ message_id: id }] = await queued;
  await eventually(() => inboxIds(number).includes(id), 'the message at the contact, its ack held');
  const restarted = h.restart();
  const res = await answer;
  assert.deepEqual(
    { status: res.status, data: res.body.data },
    { status: 202, data: { message_id: id, status: 'pending', send_at: null } },
  );
  await restarted;
  // The session is still starting or connecting: a send now waits for it, it is not refused.
  const early = await send(newContact(), { async: true });
  assert.equal(early.status, 202, JSON.stringify(early.body));
  await eventually(async () => (await stored(id)).status_times.sent !== null, 'sent again after the restart');
  assert.deepEqual(inboxIds(number), [id]);
});

// Last: it unlinks the device.
test('the phone unlinking the device while a request waits: 503, nothing was sent; sends after it are 503', async () => {
  const number = newContact();
  const { answer, id } = await heldSend(number);
  await h.core.sandbox!.unlink();
  const res = await answer;
  assert.deepEqual(res.body, failure(503, 'Service unavailable', 'WhatsApp is not connected'));
  await waitForState(h.core, 'qr');
  assert.equal(inboxIds(number).includes(id), false);
  const after = await send(number);
  assert.deepEqual(after.body, failure(503, 'Service unavailable', 'WhatsApp is not connected'));
});
