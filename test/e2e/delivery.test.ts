import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postJson, startPairedCore, type TestCore } from '../support/core.ts';
import { ALICE, BOB, jidOf } from '../support/contacts.ts';
import { eventually, waitForEvent, waitForState } from '../support/waits.ts';
import { fakeClock } from '../support/fake-clock.ts';
import type { MessageStatusChange } from '../../server/contract/messages.ts';

/** A plain send: no typing, no presence, unless the test asks. */
const send = (h: TestCore, chat: string, text: string, extra: object = {}) =>
  h.call(`/chats/${chat}/messages`, postJson({ text, typing_simulation: false, presence_simulation: false, ...extra }));

const copiesOf = (h: TestCore, chat: string, id: string) =>
  h.core.sandbox!.inbox(chat).filter((m) => m.message_id === id).length;

const statusOf = (h: TestCore, id: string, status: MessageStatusChange['status']) =>
  waitForEvent(h.core, 'message.status', (c) => c.message_id === id && c.status === status, `${id} ${status}`);

test('a send made while the connection is down waits for it and is answered 200 once WhatsApp has it', async (t) => {
  const h = await startPairedCore(t);
  const reconnecting = waitForState(h.core, 'reconnecting');
  h.core.sandbox!.fault({ kind: 'refuse', duration_ms: 1500 });
  await reconnecting;
  const res = await send(h, ALICE, 'sent while down');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.message, 'Message sent successfully');
  assert.equal(res.body.data.status, 'sent');
  assert.equal(copiesOf(h, ALICE, res.body.data.message_id), 1, 'in the inbox when the 200 came');
});

test('a drop before the frame leaves (while "typing"): sent after the reconnect, once', async (t) => {
  const h = await startPairedCore(t);
  const sending = waitForEvent(h.core, 'message.status', (c) => c.status === 'sending', 'sending');
  const answer = send(h, ALICE, 'typed across a drop, long enough to type for a while', { typing_simulation: true });
  const [{ message_id }] = await sending;
  h.core.sandbox!.fault({ kind: 'drop' });
  const res = await answer;
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.data.message_id, message_id);
  assert.equal(copiesOf(h, ALICE, message_id), 1);
});

test('a drop after the frame and before the ack: sent again with the same id, and the contact has it once', async (t) => {
  const h = await startPairedCore(t);
  h.core.sandbox!.fault({ kind: 'hold_acks' });
  const sending = waitForEvent(h.core, 'message.status', (c) => c.status === 'sending', 'sending');
  const answer = send(h, BOB, 'the ack of this one is lost');
  const [{ message_id }] = await sending;
  await eventually(() => copiesOf(h, BOB, message_id) === 1, 'the contact has it, with no ack yet');
  assert.equal(h.core.messages.get(message_id)?.status, 'sending', 'not sent: the server has not said so');
  h.core.sandbox!.fault({ kind: 'drop' });
  const res = await answer;
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.data.message_id, message_id);
  const outbox = await h.call('/outbox');
  assert.deepEqual(outbox.body.data, [], 'nothing left in the outbox');
  assert.equal(copiesOf(h, BOB, message_id), 1, 'the resend is not a second message');
});

test('a drop right after the ack: answered 200 and never sent again', async (t) => {
  const h = await startPairedCore(t);
  h.core.events.on('message.status', (c) => {
    if (c.status === 'sent' && c.chat_jid === jidOf(ALICE)) h.core.sandbox!.fault({ kind: 'drop' });
  });
  const res = await send(h, ALICE, 'acked, then the line drops');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await waitForState(h.core, 'connected');
  const next = await send(h, BOB, 'after the reconnect');
  assert.equal(next.status, 200, JSON.stringify(next.body));
  assert.equal(copiesOf(h, ALICE, res.body.data.message_id), 1);
});

test('a burst to two chats across repeated drops: every 200 arrives exactly once, in order within each chat', async (t) => {
  const h = await startPairedCore(t);
  let sent = 0;
  /** The order WaGate accepted them in: concurrent requests may reach it in any order. */
  const accepted: string[] = [];
  h.core.events.on('message.status', (c) => {
    if (c.status === 'queued') accepted.push(c.message_id);
    if (c.status === 'sent' && ++sent % 4 === 0) h.core.sandbox!.fault({ kind: 'drop' });
  });
  const texts = (chat: string) => Array.from({ length: 8 }, (_, i) => `${chat} #${i}`);
  const answers = await Promise.all(
    [ALICE, BOB].flatMap((chat) => texts(chat).map((text) => send(h, chat, text).then((res) => ({ chat, text, res })))),
  );
  for (const { res } of answers) assert.ok([200, 202].includes(res.status), JSON.stringify(res.body));
  for (const chat of [ALICE, BOB]) {
    const mine = answers.filter((a) => a.chat === chat);
    const ids = mine.map((a) => a.res.body.data.message_id as string);
    await eventually(() => ids.every((id) => copiesOf(h, chat, id) === 1), `all of ${chat}'s messages`);
    const inbox = h.core.sandbox!.inbox(chat).filter((m) => ids.includes(m.message_id));
    assert.deepEqual(
      inbox.map((m) => m.message_id),
      accepted.filter((id) => ids.includes(id)),
      'exactly once each, in the order they were accepted',
    );
    assert.deepEqual(inbox.map((m) => m.text).sort(), texts(chat).sort());
  }
});

test('a send not confirmed within the bound (60 s) is answered 202 pending, and the outbox sends it once it can', async (t) => {
  const clock = fakeClock();
  const h = await startPairedCore(t, { clock });
  const reconnecting = waitForState(h.core, 'reconnecting');
  h.core.sandbox!.fault({ kind: 'refuse', duration_ms: 2000 });
  await reconnecting;
  const queued = waitForEvent(h.core, 'message.status', (c) => c.status === 'queued', 'queued');
  const answer = send(h, ALICE, 'waits past the bound');
  const [{ message_id }] = await queued;
  const sent = statusOf(h, message_id, 'sent');
  clock.advance(60_000);
  const res = await answer;
  assert.equal(res.status, 202, JSON.stringify(res.body));
  assert.deepEqual(res.body.data, { message_id, status: 'pending', send_at: null });
  assert.equal(res.headers.get('location'), `/messages/${message_id}`);
  const listed = await h.call('/outbox');
  const entry = listed.body.data.find((e: { message_id: string }) => e.message_id === message_id);
  assert.ok(entry === undefined || ['queued', 'sending'].includes(entry.stage), JSON.stringify(listed.body.data));
  await sent;
  assert.equal(copiesOf(h, ALICE, message_id), 1);
});

test('a read receipt that came while WaGate was away is applied when it is back', async (t) => {
  const h = await startPairedCore(t);
  const answer = send(h, ALICE, 'read while you were away');
  const delivered = waitForEvent(h.core, 'message.status', (c) => c.status === 'delivered', 'delivered');
  const res = await answer;
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const id = res.body.data.message_id as string;
  await delivered;
  await h.core.session.stop();
  await h.core.sandbox!.sendReceipt(ALICE, { message_id: id, type: 'read' });
  const steps: string[] = [];
  h.core.events.on('message.status', (c) => c.message_id === id && steps.push(c.status));
  const read = statusOf(h, id, 'read');
  await h.core.session.start();
  await read;
  assert.deepEqual(steps, ['read']);
  assert.equal((await h.call(`/messages/${id}`)).body.data.status, 'read');
});
