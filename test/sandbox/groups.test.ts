import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../../server/sandbox/simulator.ts';
import type { BaileysTestClient } from '../support/baileys-client.ts';
import { ALICE, BOB, DANA, jidOf } from '../support/contacts.ts';
import { suiteScope } from '../support/scope.ts';
import { startPairedSimulator } from '../support/paired-simulator.ts';
import { eventually } from '../support/waits.ts';

const FAMILY = '120363000000000001@g.us'; // addressed by LID
const BOOK_CLUB = '120363000000000002@g.us'; // addressed by phone number
const NEIGHBOURS = '120363000000000003@g.us'; // the phone is not in it

describe('sandbox: groups', () => {
  const scope = suiteScope();
  let sim: Simulator;
  let client: BaileysTestClient;
  const lidOf = (number: string) => sim.contacts().find((c) => c.number === number)!.lid!;
  before(async () => {
    ({ sim, client } = await startPairedSimulator(scope));
  });

  test('w:g2: the groups the phone is in, with subjects, addressing, participants and admins', async () => {
    const all = await client.sock!.groupFetchAllParticipating();
    assert.deepEqual(Object.keys(all).sort(), [FAMILY, BOOK_CLUB]);
    const family = await client.sock!.groupMetadata(FAMILY);
    assert.equal(family.subject, 'Family');
    assert.equal(family.desc, 'Sunday lunch and everything else');
    assert.equal(family.addressingMode, 'lid');
    const alice = family.participants.find((p) => p.id === lidOf(ALICE));
    assert.deepEqual([alice?.phoneNumber, alice?.admin], [jidOf(ALICE), 'admin']);
    const book = await client.sock!.groupMetadata(BOOK_CLUB);
    assert.equal(book.addressingMode, 'pn');
    assert.equal(book.participants.find((p) => p.id === jidOf(BOB))?.lid, lidOf(BOB));
  });

  test('a group the phone is not in, or none at all, is an error, not metadata', async () => {
    await assert.rejects(client.sock!.groupMetadata(NEIGHBOURS), (e: any) => e.data === 403);
    await assert.rejects(client.sock!.groupMetadata('120363999999999999@g.us'), (e: any) => e.data === 404);
  });

  test('a message to the group: members decrypt the skmsg with the sender key sent to them, and each receipts', async () => {
    const mark = client.mark();
    const mentions = [lidOf(ALICE)];
    const sent = await client.sock!.sendMessage(FAMILY, { text: `hello @${ALICE}`, mentions });
    const id = sent!.key.id!;
    const entry = await eventually(() => sim.groupInbox(FAMILY).find((e) => e.message_id === id), 'the group inbox');
    assert.equal(entry.text, `hello @${ALICE}`);
    assert.deepEqual(entry.mentions, mentions);
    assert.deepEqual([...entry.received_by].sort(), [ALICE, BOB, DANA].sort());
    // Each member's receipt comes as message-receipt.update, or merged into Baileys' still-buffered own upsert.
    const receipted = await eventually(() => {
      const users = new Set<string>();
      for (const e of client.events.filter((x) => x.seq >= mark)) {
        if (e.name === 'message-receipt.update')
          for (const u of e.data) if (u.key.id === id && u.receipt.receiptTimestamp) users.add(u.receipt.userJid);
        if (e.name === 'messages.upsert')
          for (const m of e.data.messages)
            if (m.key.id === id) for (const r of m.userReceipt ?? []) if (r.receiptTimestamp) users.add(r.userJid);
      }
      return users.size === 3 ? users : undefined;
    }, 'a receipt from each member');
    assert.deepEqual([...receipted].sort(), [lidOf(ALICE), lidOf(BOB), lidOf(DANA)].sort());
    const second = await client.sock!.sendMessage(FAMILY, { text: 'and again' });
    await eventually(() => sim.groupInbox(FAMILY).find((e) => e.message_id === second!.key.id), 'the second');
  });

  test('a member writes to the group: it arrives from the group with the member as participant', async () => {
    for (const text of ['first from alice', 'second from alice']) {
      const mark = client.mark();
      const { message_id } = await sim.sendFromGroupMember(FAMILY, { from: ALICE, text });
      const up = await client.waitFor('messages.upsert', (u) => u.messages.some((m: any) => m.key.id === message_id), {
        since: mark,
      });
      const m = up.messages.find((x: any) => x.key.id === message_id);
      assert.equal(m.key.remoteJid, FAMILY);
      assert.equal(m.key.participant, lidOf(ALICE));
      assert.equal(m.key.participantAlt, jidOf(ALICE));
      assert.equal(m.message?.conversation, text);
    }
  });

  test('members added and removed are notified; a phone removed from a group no longer gets its metadata', async () => {
    const mark = client.mark();
    await sim.changeGroupMembers(BOOK_CLUB, { action: 'add', number: DANA });
    const added = await client.waitFor('group-participants.update', (u) => u.id === BOOK_CLUB && u.action === 'add', {
      since: mark,
    });
    assert.deepEqual(
      added.participants.map((p: any) => p.id ?? p),
      [jidOf(DANA)],
    );
    await sim.changeGroupMembers(BOOK_CLUB, { action: 'remove', number: sim.phone().number });
    await client.waitFor('group-participants.update', (u) => u.id === BOOK_CLUB && u.action === 'remove', {
      since: mark,
    });
    await assert.rejects(client.sock!.groupMetadata(BOOK_CLUB), (e: any) => e.data === 403);
  });
});
