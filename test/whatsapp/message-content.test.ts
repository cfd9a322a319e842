import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { generateWAMessageContent, proto } from '@whiskeysockets/baileys';
import { toBaileysContent } from '../../server/whatsapp/message-content.ts';
import type { MessageContent } from '../../server/contract/message-content.ts';
import type { SendRequest } from '../../server/whatsapp/sender.ts';
import { ALICE, BOB, jidOf } from '../support/contacts.ts';
import { startPairedWorld, type World } from '../support/session-world.ts';
import { eventually, waitForEvent } from '../support/waits.ts';

const CHAT = '15550001111@s.whatsapp.net';
const SECRET = new Uint8Array(32).fill(7);

/** The protobuf Baileys puts on the wire for stored content. */
const wire = (content: MessageContent, secret: Uint8Array | null = null) =>
  generateWAMessageContent(toBaileysContent(content, { address: CHAT, secret, mentions: [], media: null }), {
    upload: () => Promise.reject(new Error('no upload for these kinds')),
  });

test('a location goes as degrees with its name and address', async () => {
  const m = await wire({
    kind: 'location',
    location: { latitude: -6.2, longitude: 106.8, name: 'Monas', address: 'Jakarta' },
  });
  assert.deepEqual(
    { ...m.locationMessage },
    { degreesLatitude: -6.2, degreesLongitude: 106.8, name: 'Monas', address: 'Jakarta' },
  );
});

test('a contact card is a vCard built from the fields, with the number as waid', async () => {
  const m = await wire({
    kind: 'contact_card',
    contacts: [{ name: 'Dewi; Sales', phone: '+62 812-3456', email: 'd@example.com', organization: null }],
  });
  assert.equal(m.contactMessage?.displayName, 'Dewi; Sales');
  assert.equal(
    m.contactMessage?.vcard,
    'BEGIN:VCARD\nVERSION:3.0\nFN:Dewi\\; Sales\nTEL;type=CELL;type=VOICE;waid=628123456:+628123456\nEMAIL:d@example.com\nEND:VCARD',
  );
  const two = await wire({
    kind: 'contact_card',
    contacts: ['A', 'B'].map((name) => ({ name, phone: '1555', email: null, organization: 'Acme' })),
  });
  assert.deepEqual(
    two.contactsArrayMessage?.contacts?.map((c) => c.displayName),
    ['A', 'B'],
  );
});

test('a poll carries the secret stored with it, so every resend is the same poll', async () => {
  const content: MessageContent = {
    kind: 'poll',
    poll: { question: 'Lunch?', options: ['Rice', 'Noodles'], selectable_count: 1 },
  };
  const [first, again] = [await wire(content, SECRET), await wire(content, SECRET)];
  assert.deepEqual(first.messageContextInfo?.messageSecret, SECRET);
  assert.deepEqual(again.messageContextInfo?.messageSecret, SECRET);
  assert.equal(first.pollCreationMessageV3?.name, 'Lunch?');
  assert.deepEqual(
    first.pollCreationMessageV3?.options?.map((o) => o.optionName),
    ['Rice', 'Noodles'],
  );
  const multi = await wire({ ...content, poll: { ...content.poll, selectable_count: 0 } }, SECRET);
  assert.equal(multi.pollCreationMessage?.selectableOptionsCount, 0, 'any number of choices: a plain poll');
});

test('a reaction, an edit and a delete name their message as WhatsApp keys it', async () => {
  const target = { message_id: 'TARGET1', from_me: true, participant: null };
  const reaction = await wire({ kind: 'reaction', target, emoji: '✅' });
  assert.deepEqual({ ...reaction.reactionMessage?.key }, { remoteJid: CHAT, fromMe: true, id: 'TARGET1' });
  assert.equal(reaction.reactionMessage?.text, '✅');
  const edit = await wire({ kind: 'edit', target, text: 'fixed' });
  assert.equal(edit.protocolMessage?.type, proto.Message.ProtocolMessage.Type.MESSAGE_EDIT);
  assert.equal(edit.protocolMessage?.key?.id, 'TARGET1');
  assert.equal(edit.protocolMessage?.editedMessage?.extendedTextMessage?.text, 'fixed');
  const removal = await wire({ kind: 'delete', target: { ...target, from_me: false, participant: 'x@lid' } });
  assert.equal(removal.protocolMessage?.type, proto.Message.ProtocolMessage.Type.REVOKE);
  assert.deepEqual(
    { ...removal.protocolMessage?.key },
    { remoteJid: CHAT, fromMe: false, id: 'TARGET1', participant: 'x@lid' },
  );
});

let world: World;
before(async (t) => {
  world = await startPairedWorld(t);
});

const send = (chat: string, content: MessageContent, over: Partial<SendRequest> = {}) =>
  world.sender.send({
    chatJid: jidOf(chat),
    content,
    typingSimulation: false,
    presenceSimulation: false,
    async: false,
    sendAt: null,
    ...over,
  });

test('each kind goes through the outbox like a text: stored with its kind, answered once the server has it', async () => {
  const location: MessageContent = {
    kind: 'location',
    location: { latitude: 1.5, longitude: 2.5, name: null, address: null },
  };
  const outcome = await send(ALICE, location);
  assert.equal(outcome.kind, 'sent');
  const id = outcome.result.message_id;
  const stored = world.messages.get(id);
  assert.deepEqual(
    stored && { kind: stored.kind, location: stored.kind === 'location' ? stored.location : null },
    location,
  );
  const entry = await eventually(() => world.sim.inbox(ALICE).find((m) => m.message_id === id), 'at Alice');
  assert.equal(entry.type, 'locationMessage');
});

test('a poll whose ack is lost goes again with the same id and secret, and the contact has it once', async () => {
  world.sim.fault({ kind: 'hold_acks' });
  const sending = waitForEvent(world, 'message.status', (c) => c.status === 'sending', 'sending');
  const poll: MessageContent = {
    kind: 'poll',
    poll: { question: 'Ship today?', options: ['Yes', 'No'], selectable_count: 1 },
  };
  const answer = send(BOB, poll);
  const [{ message_id }] = await sending;
  const secret = world.messages.secretOf(message_id);
  assert.equal(secret?.length, 32, 'the secret is kept with the message');
  await eventually(() => world.sim.inbox(BOB).some((m) => m.message_id === message_id), 'Bob has the poll');
  world.sim.fault({ kind: 'drop' });
  const outcome = await answer;
  assert.equal(outcome.kind, 'sent');
  const copies = world.sim.inbox(BOB).filter((m) => m.message_id === message_id);
  assert.deepEqual(
    copies.map((m) => m.type),
    ['pollCreationMessageV3'],
  );
});
