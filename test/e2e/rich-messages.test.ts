import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { postJson, startPairedCore, type TestCore } from '../support/core.ts';
import { ALICE, BOB } from '../support/contacts.ts';
import { eventually } from '../support/waits.ts';
import { fakeClock } from '../support/fake-clock.ts';
import type { InboxEntry } from '../../server/contract/sandbox.ts';

let h: TestCore;
before(async (t) => {
  h = await startPairedCore(t);
});

const QUICK = { typing_simulation: false, presence_simulation: false };
const json = (method: string, body: unknown): RequestInit => ({ ...postJson(body), method });

/** What the contact's phone shows for message `id`, once it has it. */
const atContact = (core: TestCore, number: string, id: string, holds: (e: InboxEntry) => boolean = () => true) =>
  eventually(() => core.core.sandbox!.inbox(number).find((m) => m.message_id === id && holds(m)), `${id} at ${number}`);

/** The 200's `message` that /openapi.json shows for the operation a request reaches. */
async function documentedWords(core: TestCore, method: string, path: string): Promise<string> {
  const doc = (await core.call('/openapi.json')).body;
  const template = Object.keys(doc.paths).find((t: string) =>
    new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path),
  );
  assert.ok(template, `${path} is documented`);
  return doc.paths[template][method.toLowerCase()].responses['200'].content['application/json'].schema.example.message;
}

/**
 * Sends, and checks the 200 says what the document's example says it will, or `words` where the answer names a case
 * the example does not show (several cards, a reaction taken away).
 */
async function sent(core: TestCore, path: string, init: RequestInit, words?: string): Promise<string> {
  const res = await core.call(path, init);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.data.status, 'sent');
  assert.equal(res.body.message, words ?? (await documentedWords(core, init.method ?? 'POST', path)));
  return res.body.data.message_id;
}

const sendText = (core: TestCore, chat: string, text: string) =>
  sent(core, `/chats/${chat}/messages`, postJson({ text, ...QUICK }));

/** A message the contact wrote to WaGate, once WaGate has stored it. */
async function fromContact(number: string, text: string): Promise<string> {
  const { message_id } = await h.core.sandbox!.sendFromContact(number, { text });
  await eventually(() => h.core.messages.get(message_id) ?? undefined, 'the contact’s message stored');
  return message_id;
}

test('a location arrives at the contact with its coordinates, name and address', async () => {
  const id = await sent(
    h,
    `/chats/${ALICE}/locations`,
    postJson({ latitude: -6.1754, longitude: 106.8272, name: 'Monas', address: 'Gambir', ...QUICK }),
  );
  const entry = await atContact(h, ALICE, id);
  assert.equal(entry.kind, 'location');
  assert.deepEqual(entry.location, { latitude: -6.1754, longitude: 106.8272, name: 'Monas', address: 'Gambir' });
  const stored = await h.call(`/messages/${id}`);
  assert.equal(stored.body.data.kind, 'location');
  assert.equal(stored.body.data.location.name, 'Monas');
});

test('contact cards arrive as vCards the contact reads the name and WhatsApp number from', async () => {
  const contacts = [
    { name: 'Dewi Lestari', phone: '+62 812-3456-7890', email: 'dewi@example.com', organization: 'Acme' },
    { name: 'Budi', phone: '6281111111111' },
  ];
  const id = await sent(h, `/chats/${BOB}/contact-cards`, postJson({ contacts, ...QUICK }), 'Contact cards sent');
  const entry = await atContact(h, BOB, id);
  assert.equal(entry.kind, 'contact_card');
  assert.deepEqual(
    entry.contacts?.map(({ name, phone }) => ({ name, phone })),
    [
      { name: 'Dewi Lestari', phone: '6281234567890' },
      { name: 'Budi', phone: '6281111111111' },
    ],
  );
  assert.match(entry.contacts![0]!.vcard, /^EMAIL:dewi@example\.com$/m);
  assert.match(entry.contacts![0]!.vcard, /^ORG:Acme$/m);
});

test('a poll arrives with its question, options and how many may be chosen', async () => {
  const id = await sent(
    h,
    `/chats/${ALICE}/polls`,
    postJson({ question: 'Lunch?', options: ['Rice', 'Noodles', 'Soup'], selectable_count: 2, ...QUICK }),
  );
  const entry = await atContact(h, ALICE, id);
  assert.equal(entry.kind, 'poll');
  assert.deepEqual(entry.poll, {
    question: 'Lunch?',
    options: ['Rice', 'Noodles', 'Soup'],
    selectable_count: 2,
    votes: [],
  });
});

test('a reaction lands on the contact’s message; "" takes it away; an unknown message is a 404', async () => {
  const theirs = await fromContact(BOB, 'Order #42 shipped?');
  const path = `/chats/${BOB}/messages/${theirs}/reaction`;
  const reacted = await sent(h, path, json('PUT', { emoji: '✅' }));
  const entry = await atContact(h, BOB, reacted);
  assert.deepEqual([entry.kind, entry.target_message_id, entry.emoji], ['reaction', theirs, '✅']);
  const removed = await sent(h, path, json('PUT', { emoji: '' }), 'Reaction removed');
  assert.equal((await atContact(h, BOB, removed)).emoji, '');
  const unknown = await h.call(`/chats/${BOB}/messages/NOPE123/reaction`, json('PUT', { emoji: '👍' }));
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error, 'Message not found in this chat');
  const otherChat = await h.call(`/chats/${ALICE}/messages/${theirs}/reaction`, json('PUT', { emoji: '👍' }));
  assert.equal(otherChat.status, 404, 'a message of another chat');
});

test('an edit of our text changes it on the contact’s phone; someone else’s message cannot be edited', async () => {
  const ours = await sendText(h, ALICE, 'See you at 9');
  await atContact(h, ALICE, ours);
  const edit = await sent(h, `/chats/${ALICE}/messages/${ours}`, json('PATCH', { text: 'See you at 10' }));
  assert.equal((await atContact(h, ALICE, edit)).kind, 'edit');
  const target = await atContact(h, ALICE, ours, (e) => e.text === 'See you at 10');
  assert.deepEqual(target.edits, ['See you at 9']);
  const theirs = await fromContact(ALICE, 'ok');
  const refused = await h.call(`/chats/${ALICE}/messages/${theirs}`, json('PATCH', { text: 'hacked' }));
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error, 'Only your own messages can be edited');
});

test('a delete for everyone empties our message on the contact’s phone; then it cannot be edited', async () => {
  const ours = await sendText(h, BOB, 'wrong chat, sorry');
  await atContact(h, BOB, ours);
  const res = await h.call(`/chats/${BOB}/messages/${ours}`, { method: 'DELETE' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.message, 'Deleted for everyone');
  const target = await atContact(h, BOB, ours, (e) => e.deleted === true);
  assert.equal(target.text, null);
  const theirs = await fromContact(BOB, 'keep this');
  const refused = await h.call(`/chats/${BOB}/messages/${theirs}`, { method: 'DELETE' });
  assert.equal(refused.status, 403);
});

test('bad input gets a specific 400 for every rich kind', async () => {
  const cases: [string, string, unknown, RegExp][] = [
    ['POST', 'locations', { latitude: 91, longitude: 0 }, /latitude must be between -90 and 90/],
    ['POST', 'locations', { latitude: 1 }, /longitude is required/],
    ['POST', 'contact-cards', { contacts: [] }, /at least one contact/],
    ['POST', 'contact-cards', { contacts: [{ name: 'A', phone: 'call me' }] }, /phone number with country code/],
    ['POST', 'contact-cards', { contacts: [{ name: 'A', phone: '15551234', email: 'no' }] }, /email/],
    ['POST', 'polls', { question: 'Q', options: ['only'] }, /at least 2 options/],
    ['POST', 'polls', { question: 'Q', options: Array.from({ length: 13 }, (_, i) => `o${i}`) }, /at most 12/],
    ['POST', 'polls', { question: 'Q', options: ['a', 'a'] }, /all be different/],
    ['POST', 'polls', { question: 'Q', options: ['a', 'b'], selectable_count: 3 }, /more than the number of options/],
    ['POST', 'polls', { question: ' ', options: ['a', 'b'] }, /question must not be empty/],
  ];
  for (const [method, path, body, words] of cases) {
    const res = await h.call(`/chats/${ALICE}/${path}`, json(method, body));
    assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
    assert.match(JSON.stringify(res.body), words);
  }
  const ours = await sendText(h, ALICE, 'react to me');
  for (const emoji of ['ab', '👍👍', 42]) {
    const res = await h.call(`/chats/${ALICE}/messages/${ours}/reaction`, json('PUT', { emoji }));
    assert.equal(res.status, 400, `${emoji}: ${JSON.stringify(res.body)}`);
  }
  const empty = await h.call(`/chats/${ALICE}/messages/${ours}`, json('PATCH', { text: '' }));
  assert.equal(empty.status, 400);
});

test('an edit after WhatsApp’s 15 minutes is a 409 that says so', async (t) => {
  const clock = fakeClock(Date.now());
  const core = await startPairedCore(t, { clock });
  const ours = await sendText(core, ALICE, 'on time');
  const inTime = await core.call(`/chats/${ALICE}/messages/${ours}`, json('PATCH', { text: 'still on time' }));
  assert.equal(inTime.status, 200, JSON.stringify(inTime.body));
  clock.advance(16 * 60_000);
  const late = await core.call(`/chats/${ALICE}/messages/${ours}`, json('PATCH', { text: 'too late' }));
  assert.equal(late.status, 409);
  assert.match(
    late.body.error,
    /WhatsApp allows edits for 15 minutes after sending; this message was sent 16 minutes ago/,
  );
});
