import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPairedCore, postJson, type TestCore } from '../support/core.ts';
import { ALICE } from '../support/contacts.ts';
import { eventually } from '../support/waits.ts';

let h: TestCore;

before(async (t) => {
  h = await startPairedCore(t);
});

const inboxCount = (text: string) => h.core.sandbox!.inbox(ALICE).filter((m) => m.text === text).length;
const send = (body: object, key?: string) =>
  h.call(`/chats/${ALICE}/messages`, postJson(body, key ? { 'idempotency-key': key } : {}));

test('the same Idempotency-Key sent twice at once: one message in the inbox, two identical answers', async () => {
  const body = { text: 'only once, please', typing_simulation: true, presence_simulation: false };
  const [a, b] = await Promise.all([send(body, 'order-1001'), send(body, 'order-1001')]);
  assert.equal(a.status, 200, JSON.stringify(a.body));
  assert.deepEqual(b.body, a.body);
  assert.equal(b.headers.get('idempotent-replayed'), 'true');
  await eventually(() => (inboxCount(body.text) === 1 ? true : undefined), 'the message delivered');
  const later = await send(body, 'order-1001');
  assert.deepEqual(later.body, a.body);
  // One chat's messages leave in order: a second copy would reach Alice before this later message does.
  await send({ text: 'a later message', typing_simulation: false, presence_simulation: false });
  await eventually(() => inboxCount('a later message') >= 1, 'the later message delivered');
  assert.equal(inboxCount(body.text), 1, 'never a second WhatsApp message');
});

test('the same key with another body is a 422; without a key every request sends', async () => {
  assert.equal((await send({ text: 'first body', typing_simulation: false }, 'k-2')).status, 200);
  const other = await send({ text: 'second body', typing_simulation: false }, 'k-2');
  assert.equal(other.status, 422);
  assert.match(other.body.error, /different request/);
  await send({ text: 'twice without a key', typing_simulation: false });
  await send({ text: 'twice without a key', typing_simulation: false });
  await eventually(() => (inboxCount('twice without a key') === 2 ? true : undefined), 'both keyless sends');
});

test('an answer that sent nothing frees the key, so the corrected retry sends', async () => {
  const bad = await send({ text: '' }, 'k-3');
  assert.equal(bad.status, 400);
  const good = await send({ text: 'fixed and sent', typing_simulation: false }, 'k-3');
  assert.equal(good.status, 200, JSON.stringify(good.body));
  assert.equal((await send({ text: 'x' }, 'bad key with spaces')).status, 400);
});

test("the contact's receipts move a message to delivered and read, each with its time", async () => {
  const sent = await send({ text: 'did you read this?', typing_simulation: false, presence_simulation: false });
  const id = sent.body.data.message_id as string;
  const first = await h.call(`/messages/${id}`);
  assert.equal(first.status, 200);
  assert.equal(first.body.data.text, 'did you read this?');
  assert.ok(first.body.data.status_times.sent);
  await h.core.sandbox!.sendReceipt(ALICE, { message_id: id, type: 'read' });
  const read = await eventually(async () => {
    const res = await h.call(`/messages/${id}`);
    return res.body.data.status === 'read' ? res.body.data : undefined;
  }, 'status read');
  assert.ok(read.status_times.delivered, 'read implies delivered');
  assert.ok(read.status_times.read >= read.status_times.sent);
  const listed = await h.call(`/chats/${ALICE}/messages?limit=1`);
  assert.equal(listed.body.data[0].status, 'read');
  assert.equal((await h.call('/messages/NOPE')).status, 404);
});
