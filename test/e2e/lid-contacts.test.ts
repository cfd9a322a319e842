import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { postJson, startPairedCore, type TestCore } from '../support/core.ts';
import { ALICE, CAROL, DANA } from '../support/contacts.ts';
import { eventually } from '../support/waits.ts';

/**
 * People WhatsApp addresses by LID, through the API as a user calls it: the seed's Dana is LID-migrated (a message to
 * her number is refused with 463), Alice is not. One chat per person, whichever address is used.
 */
const pn = (n: string) => `${n}@s.whatsapp.net`;
let h: TestCore;
let danaLid: string;

before(async (t) => {
  h = await startPairedCore(t);
  danaLid = h.core.sandbox!.contacts().find((c) => c.number === DANA)!.lid!;
});

const quick = { typing_simulation: false, presence_simulation: false };
const send = (chat: string, text: string) => h.call(`/chats/${chat}/messages`, postJson({ text, ...quick }));
const inInbox = (number: string, id: string) =>
  eventually(() => h.core.sandbox!.inbox(number).find((m) => m.message_id === id), `${id} in ${number}'s inbox`);

test('a LID-migrated contact written to by phone number gets the message, at her LID', async () => {
  const res = await send(`+${DANA}`, 'by your number');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  // The seed's answer: where it is stored and which LID it went to are in GET /messages/{id}.
  assert.ok(!('chat_jid' in res.body.data) && !('chat_lid' in res.body.data), JSON.stringify(res.body.data));
  const stored = (await h.call(`/messages/${res.body.data.message_id}`)).body.data;
  assert.equal(stored.chat_jid, pn(DANA));
  assert.equal(stored.chat_lid, danaLid);
  assert.equal((await inInbox(DANA, res.body.data.message_id)).text, 'by your number');
  await eventually(async () => {
    const detail = await h.call(`/messages/${res.body.data.message_id}`);
    return detail.body.data.status === 'delivered' ? true : undefined;
  }, 'delivered, not failed');
});

test('written to by LID: the same chat, stored under her number', async () => {
  const res = await send(danaLid, 'by your LID');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const stored = (await h.call(`/messages/${res.body.data.message_id}`)).body.data;
  assert.equal(stored.chat_jid, pn(DANA));
  assert.equal(stored.chat_lid, danaLid);
  await inInbox(DANA, res.body.data.message_id);
});

test('her messages from the LID land in the chat of her number, and both addresses list the one chat', async () => {
  const received = new Promise<any>((resolve) =>
    h.core.events.on('message.received', (m) => m.text === 'from my LID' && resolve(m)),
  );
  const { message_id } = await h.core.sandbox!.sendFromContact(DANA, { text: 'from my LID' });
  const inbound = await received;
  assert.equal(inbound.message_id, message_id);
  assert.equal(inbound.chat_jid, pn(DANA));
  assert.equal(inbound.chat_lid, danaLid);
  assert.equal(inbound.sender, pn(DANA));
  const byNumber = await h.call(`/chats/${DANA}/messages`);
  const byLid = await h.call(`/chats/${danaLid}/messages`);
  assert.deepEqual(
    byNumber.body.data.map((m: any) => m.text),
    ['from my LID', 'by your LID', 'by your number'],
  );
  // The same messages by id: their statuses may move on (a receipt) between the two reads.
  const ids = (list: any[]) => list.map((m) => m.message_id);
  assert.deepEqual(ids(byLid.body.data), ids(byNumber.body.data));
});

test('a LID WhatsApp does not know answers 404, and nothing is sent', async () => {
  const res = await send('999999999999999@lid', 'anyone?');
  assert.equal(res.status, 404, JSON.stringify(res.body));
  assert.equal(res.body.error, 'LID is not known to WhatsApp');
});

test('GET /contacts/{phone}: on WhatsApp or not, with the JID and LID', async () => {
  const alice = await h.call(`/contacts/+${ALICE}`);
  assert.equal(alice.status, 200, JSON.stringify(alice.body));
  const aliceLid = h.core.sandbox!.contacts().find((c) => c.number === ALICE)!.lid;
  assert.deepEqual(
    { ...alice.body.data, checked_at: 0 },
    { phone: ALICE, on_whatsapp: true, jid: pn(ALICE), lid: aliceLid, checked_at: 0 },
  );
  const carol = await h.call(`/contacts/${CAROL}`);
  assert.equal(carol.body.data.on_whatsapp, false);
  assert.equal(carol.body.data.jid, null);
  assert.equal(carol.body.message, 'Not on WhatsApp');
  const byLid = await h.call(`/contacts/${danaLid}`);
  assert.equal(byLid.body.data.jid, pn(DANA));
  assert.equal(byLid.body.data.phone, DANA);
  assert.equal((await h.call('/contacts/999999999999999@lid')).body.data.on_whatsapp, false);
  assert.equal((await h.call('/contacts/not-a-number')).status, 400);
  assert.equal((await h.call('/contacts/120363000000000000@g.us')).status, 400);
  assert.equal((await h.call(`/contacts/${ALICE}`, { auth: false })).status, 401);
});

test('the answer is cached: while WhatsApp is away a number asked before is answered, a new one is a 503', async () => {
  const first = await h.call(`/contacts/${ALICE}`);
  h.core.sandbox!.fault({ kind: 'refuse', duration_ms: 60_000 });
  await eventually(() => (h.core.session.snapshot().state !== 'connected' ? true : undefined), 'the drop');
  const again = await h.call(`/contacts/${ALICE}`);
  assert.equal(again.status, 200);
  assert.deepEqual(again.body.data, first.body.data);
  assert.equal((await h.call('/contacts/15550002222')).status, 503);
});
