import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { postJson, startPairedCore, type TestCore } from '../support/core.ts';
import { ALICE, BOB, DANA, jidOf } from '../support/contacts.ts';
import { eventually } from '../support/waits.ts';

/**
 * Groups through the API, against the sandbox's groups: Family (members addressed by LID), Book club (by phone
 * number), Neighbours (the phone is not in it).
 */
const FAMILY = '120363000000000001@g.us';
const BOOK_CLUB = '120363000000000002@g.us';
const NEIGHBOURS = '120363000000000003@g.us';
const quick = { typing_simulation: false, presence_simulation: false };
let h: TestCore;
const lidOf = (number: string) => h.core.sandbox!.contacts().find((c) => c.number === number)!.lid!;

before(async (t) => {
  h = await startPairedCore(t);
});

test('GET /groups: the groups the phone is in, with subject and size', async () => {
  const res = await h.call('/groups');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body.data, [
    { jid: BOOK_CLUB, subject: 'Book club', size: 3 },
    { jid: FAMILY, subject: 'Family', size: 4 },
  ]);
});

test('GET /groups/{group_jid}: subject, description, participants with both addresses and admin flags', async () => {
  const res = await h.call(`/groups/${FAMILY}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const family = res.body.data;
  assert.equal(family.subject, 'Family');
  assert.equal(family.description, 'Sunday lunch and everything else');
  assert.equal(family.addressing_mode, 'lid');
  const alice = family.participants.find((p: any) => p.phone_jid === jidOf(ALICE));
  assert.deepEqual(alice, { jid: lidOf(ALICE), phone_jid: jidOf(ALICE), lid: lidOf(ALICE), admin: 'admin' });
  const owner = family.participants.find((p: any) => p.admin === 'superadmin');
  assert.equal(owner.phone_jid, jidOf(h.core.sandbox!.phone().number));
});

test('a group that does not exist, or that the phone is not in, is 404 "Group not found" — to read and to send', async () => {
  for (const jid of ['120363999999999999@g.us', NEIGHBOURS]) {
    const read = await h.call(`/groups/${jid}`);
    assert.equal(read.status, 404, JSON.stringify(read.body));
    assert.equal(read.body.error, 'Group not found');
    const send = await h.call(`/chats/${jid}/messages`, postJson({ text: 'hello?', ...quick }));
    assert.equal(send.status, 404, JSON.stringify(send.body));
    assert.equal(send.body.error, 'Group not found');
  }
  assert.equal((await h.call('/groups/not-a-group')).status, 400);
});

test('a send with mentions reaches every member, mentioning them as the group addresses them', async () => {
  const res = await h.call(
    `/chats/${FAMILY}/messages`,
    postJson({ text: `Lunch at one, @${ALICE} and @${BOB}?`, mentions: [`+${ALICE}`, jidOf(BOB)], ...quick }),
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const id = res.body.data.message_id;
  assert.equal((await h.call(`/messages/${id}`)).body.data.chat_jid, FAMILY);
  const entry = await eventually(() => h.core.sandbox!.groupInbox(FAMILY).find((e) => e.message_id === id), 'it');
  assert.equal(entry.text, `Lunch at one, @${ALICE} and @${BOB}?`);
  assert.deepEqual(entry.mentions, [lidOf(ALICE), lidOf(BOB)]);
  assert.deepEqual([...entry.received_by].sort(), [ALICE, BOB, DANA].sort());
});

test('mentions outside a group, or that are not people, are a 400', async () => {
  const dm = await h.call(`/chats/${ALICE}/messages`, postJson({ text: 'hi', mentions: [BOB], ...quick }));
  assert.equal(dm.status, 400);
  const bad = await h.call(`/chats/${FAMILY}/messages`, postJson({ text: 'hi', mentions: ['nobody'], ...quick }));
  assert.equal(bad.status, 400);
});

test('status: delivered at the first member receipt, read at the first read; GET /messages/{id} lists each member', async () => {
  const res = await h.call(`/chats/${BOOK_CLUB}/messages`, postJson({ text: 'Chapter 3 tonight', ...quick }));
  const id = res.body.data.message_id;
  const detail = async () => (await h.call(`/messages/${id}`)).body.data;
  await eventually(async () => ((await detail()).receipts.length === 2 ? true : undefined), 'both members');
  const delivered = await detail();
  assert.equal(delivered.status, 'delivered');
  assert.deepEqual(delivered.receipts.map((r: any) => r.member).sort(), [jidOf(ALICE), jidOf(BOB)].sort());
  assert.ok(delivered.receipts.every((r: any) => r.delivered_at !== null && r.read_at === null));
  await h.call(`/sandbox/groups/${BOOK_CLUB}/receipts`, postJson({ from: BOB, message_id: id, type: 'read' }));
  await eventually(async () => ((await detail()).status === 'read' ? true : undefined), 'read');
  const bob = (await detail()).receipts.find((r: any) => r.member === jidOf(BOB));
  assert.ok(bob.read_at !== null);
});

test('a member writing to the group: the message arrives in the group chat, with its sender', async () => {
  const received = new Promise<any>((resolve) =>
    h.core.events.on('message.received', (m) => m.text === 'Who brings dessert?' && resolve(m)),
  );
  await h.call(`/sandbox/groups/${FAMILY}/messages`, postJson({ from: ALICE, text: 'Who brings dessert?' }));
  const message = await received;
  assert.equal(message.chat_jid, FAMILY);
  assert.equal(message.sender, jidOf(ALICE));
  const listed = await h.call(`/chats/${FAMILY}/messages`);
  assert.ok(listed.body.data.some((m: any) => m.message_id === message.message_id && m.sender === jidOf(ALICE)));
});

test('the phone removed from a group: the group is gone from GET /groups and answers 404', async () => {
  await h.call(
    `/sandbox/groups/${BOOK_CLUB}/participants`,
    postJson({ action: 'remove', number: h.core.sandbox!.phone().number }),
  );
  const groups = (await h.call('/groups')).body.data.map((g: any) => g.jid);
  assert.deepEqual(groups, [FAMILY]);
  const read = await h.call(`/groups/${BOOK_CLUB}`);
  assert.equal(read.status, 404);
  const send = await h.call(`/chats/${BOOK_CLUB}/messages`, postJson({ text: 'still here?', ...quick }));
  assert.equal(send.status, 404);
  assert.equal(send.body.error, 'Group not found');
});
