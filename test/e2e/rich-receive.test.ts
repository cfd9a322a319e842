import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { postJson, startPairedCore, type TestCore } from '../support/core.ts';
import { ALICE, BOB, jidOf } from '../support/contacts.ts';
import { eventually, waitForEvent } from '../support/waits.ts';
import type { ContactAction } from '../../server/contract/sandbox-contact-actions.ts';

let h: TestCore;
before(async (t) => {
  h = await startPairedCore(t);
});

const QUICK = { typing_simulation: false, presence_simulation: false };
const act = (number: string, action: ContactAction) => h.core.sandbox!.sendActionFromContact(number, action);

/** The contact's message as WaGate received and stored it. */
async function received(number: string, action: ContactAction) {
  const arrived = waitForEvent(h.core, 'message.received', (m) => m.chat_jid === jidOf(number), `${action.kind}`);
  const { message_id } = await act(number, action);
  const [message] = await arrived;
  assert.equal(message.message_id, message_id);
  return message;
}

/** What the event log keeps for GET /events and webhooks. */
const logged = (type: string, messageId: string) =>
  eventually(
    () =>
      h.core.eventLog
        .since(0, 1000)
        .find((e) => e.type === type && (e.data as { message_id?: string }).message_id === messageId),
    `${type} for ${messageId} in the event log`,
  );

async function ourText(number: string, text: string): Promise<string> {
  const res = await h.call(`/chats/${number}/messages`, postJson({ text, ...QUICK }));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data.message_id;
}

test('a location, a contact card and a poll from a contact arrive as message.received with their kind', async () => {
  const place = await received(ALICE, {
    kind: 'location',
    latitude: 52.37,
    longitude: 4.89,
    name: 'Dam',
    address: 'Amsterdam',
  });
  assert.equal(place.kind, 'location');
  assert.deepEqual(place.kind === 'location' && place.location, {
    latitude: 52.37,
    longitude: 4.89,
    name: 'Dam',
    address: 'Amsterdam',
  });
  const card = await received(ALICE, { kind: 'contact_card', contacts: [{ name: 'Sari; Ops', phone: '+6281234' }] });
  assert.deepEqual(card.kind === 'contact_card' && card.contacts, [
    { name: 'Sari; Ops', phone: '6281234', email: null, organization: null },
  ]);
  const poll = await received(BOB, { kind: 'poll', question: 'Pizza?', options: ['Yes', 'No'], selectable_count: 1 });
  assert.deepEqual(poll.kind === 'poll' && poll.poll, {
    question: 'Pizza?',
    options: ['Yes', 'No'],
    selectable_count: 1,
  });
  const stored = await h.call(`/messages/${place.message_id}`);
  assert.equal(stored.body.data.kind, 'location');
  await logged('message.received', card.message_id);
});

test('a contact’s reaction to our message is a message.reaction event, also when taken away', async () => {
  const ours = await ourText(ALICE, 'Your order shipped');
  const reacted = waitForEvent(h.core, 'message.reaction', (r) => r.message_id === ours, 'the reaction');
  await act(ALICE, { kind: 'reaction', message_id: ours, emoji: '🎉' });
  const [reaction] = await reacted;
  assert.deepEqual(
    { ...reaction, timestamp: 0 },
    { chat_jid: jidOf(ALICE), message_id: ours, sender: jidOf(ALICE), emoji: '🎉', timestamp: 0 },
  );
  const removed = waitForEvent(h.core, 'message.reaction', (r) => r.message_id === ours && r.emoji === '', 'removed');
  await act(ALICE, { kind: 'reaction', message_id: ours, emoji: '' });
  await removed;
  await logged('message.reaction', ours);
});

test('a contact edits and deletes their own messages: events, and the stored messages follow', async () => {
  const arrived = waitForEvent(h.core, 'message.received', (m) => m.chat_jid === jidOf(BOB), 'the text');
  const { message_id } = await h.core.sandbox!.sendFromContact(BOB, { text: 'meet at 9' });
  await arrived;
  const editedEvent = waitForEvent(h.core, 'message.edited', (e) => e.message_id === message_id, 'the edit');
  await act(BOB, { kind: 'edit', message_id, text: 'meet at 10' });
  const [edit] = await editedEvent;
  assert.equal(edit.text, 'meet at 10');
  const stored = h.core.messages.get(message_id);
  assert.equal(stored?.text, 'meet at 10');
  assert.equal(stored?.edited_at, edit.timestamp);
  await logged('message.edited', message_id);

  const deletedEvent = waitForEvent(h.core, 'message.deleted', (e) => e.message_id === message_id, 'the delete');
  await act(BOB, { kind: 'delete', message_id });
  await deletedEvent;
  const gone = (await h.call(`/messages/${message_id}`)).body.data;
  assert.equal(gone.text, '', 'what it said is gone');
  assert.equal(typeof gone.deleted_at, 'number');
  await logged('message.deleted', message_id);
});

test('a contact’s vote on our poll is decrypted into a poll.vote with the options chosen', async () => {
  const res = await h.call(
    `/chats/${ALICE}/polls`,
    postJson({ question: 'Which day?', options: ['Mon', 'Tue', 'Wed'], selectable_count: 2, ...QUICK }),
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const poll = res.body.data.message_id;
  await eventually(() => h.core.sandbox!.inbox(ALICE).find((m) => m.message_id === poll), 'Alice has the poll');
  const voted = waitForEvent(h.core, 'poll.vote', (v) => v.message_id === poll, 'the vote');
  await act(ALICE, { kind: 'poll_vote', poll_message_id: poll, options: ['Tue', 'Wed'] });
  const [vote] = await voted;
  assert.deepEqual([vote.sender, vote.options], [jidOf(ALICE), ['Tue', 'Wed']]);
  const changed = waitForEvent(h.core, 'poll.vote', (v) => v.message_id === poll && v.options.length === 0, 'unvote');
  await act(ALICE, { kind: 'poll_vote', poll_message_id: poll, options: [] });
  await changed;
  await logged('poll.vote', poll);
});

test('our own edit and delete change the stored message once WhatsApp has them', async () => {
  const ours = await ourText(BOB, 'typo heer');
  const edit = await h.call(`/chats/${BOB}/messages/${ours}`, { ...postJson({ text: 'typo here' }), method: 'PATCH' });
  assert.equal(edit.status, 200, JSON.stringify(edit.body));
  const after = (await h.call(`/messages/${ours}`)).body.data;
  assert.equal(after.text, 'typo here');
  assert.equal(typeof after.edited_at, 'number');
  const del = await h.call(`/chats/${BOB}/messages/${ours}`, { method: 'DELETE' });
  assert.equal(del.status, 200, JSON.stringify(del.body));
  assert.equal((await h.call(`/messages/${ours}`)).body.data.text, '');
  const again = await h.call(`/chats/${BOB}/messages/${ours}`, { ...postJson({ text: 'x' }), method: 'PATCH' });
  assert.equal(again.status, 409);
  assert.equal(again.body.error, 'The message was deleted for everyone');
});
