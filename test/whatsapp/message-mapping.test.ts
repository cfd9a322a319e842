import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proto, type WAMessage } from '@whiskeysockets/baileys';
import {
  chatJidOf,
  closeReasonText,
  quotedFor,
  statusFromBaileys,
  toInboundMessage,
} from '../../server/whatsapp/message-mapping.ts';
import { ALICE as ALICE_NUMBER, jidOf } from '../support/contacts.ts';

const ALICE = jidOf(ALICE_NUMBER);

const inbound = (message: proto.IMessage, key: Partial<WAMessage['key']> = {}): WAMessage => ({
  key: { remoteJid: ALICE, fromMe: false, id: 'IN1', ...key },
  message,
  messageTimestamp: 1_700_000_000,
});

test('receipt statuses: delivered, read (played counts as read), error as failed; the rest say nothing', () => {
  const S = proto.WebMessageInfo.Status;
  assert.equal(statusFromBaileys(S.DELIVERY_ACK), 'delivered');
  assert.equal(statusFromBaileys(S.READ), 'read');
  assert.equal(statusFromBaileys(S.PLAYED), 'read');
  assert.equal(statusFromBaileys(S.ERROR), 'failed');
  assert.equal(statusFromBaileys(S.PENDING), null);
  assert.equal(statusFromBaileys(S.SERVER_ACK), null);
  assert.equal(statusFromBaileys(undefined), null);
});

test('a text from a contact, plain or extended with a quote, becomes a stored inbound message', () => {
  assert.deepEqual(toInboundMessage(inbound({ conversation: 'hi' }), 1), {
    message_id: 'IN1',
    chat_jid: ALICE,
    chat_lid: null,
    direction: 'inbound',
    sender: ALICE,
    text: 'hi',
    quoted_message_id: null,
    timestamp: 1_700_000_000,
    status: 'received',
    kind: 'text',
  });
  const reply = toInboundMessage(
    inbound({ extendedTextMessage: { text: 'yes', contextInfo: { stanzaId: 'OUT9' } } }),
    1,
  );
  assert.equal(reply?.text, 'yes');
  assert.equal(reply?.quoted_message_id, 'OUT9');
});

test('a chat WhatsApp addresses by LID is stored under the phone number when it gives one', () => {
  assert.equal(chatJidOf({ remoteJid: '100000000000002@lid', remoteJidAlt: ALICE }), ALICE);
  assert.equal(chatJidOf({ remoteJid: '100000000000002@lid' }), '100000000000002@lid');
  assert.equal(chatJidOf({ remoteJid: '15550001111:3@s.whatsapp.net' }), ALICE);
});

test('in a group the sender is the participant', () => {
  const m = toInboundMessage(
    inbound({ conversation: 'hey all' }, { remoteJid: '1203630@g.us', participant: '15550002222@s.whatsapp.net' }),
    1,
  );
  assert.equal(m?.chat_jid, '1203630@g.us');
  assert.equal(m?.sender, '15550002222@s.whatsapp.net');
});

test('our own messages, protocol traffic, reactions, undecryptable stubs and status posts are not stored as received', () => {
  assert.equal(toInboundMessage(inbound({ conversation: 'mine' }, { fromMe: true }), 1), null);
  assert.equal(toInboundMessage(inbound({ protocolMessage: { type: 0 } }), 1), null);
  assert.equal(toInboundMessage(inbound({ reactionMessage: { text: '👍', key: { id: 'X' } } }), 1), null);
  assert.equal(toInboundMessage({ key: { remoteJid: ALICE, fromMe: false, id: 'S' }, messageStubType: 2 }, 1), null);
  assert.equal(toInboundMessage(inbound({ conversation: 'story' }, { remoteJid: 'status@broadcast' }), 1), null);
});

test('a stored message is handed to Baileys as a quotable message', () => {
  const quoted = quotedFor({
    message_id: 'IN1',
    chat_jid: '1203630@g.us',
    chat_lid: null,
    direction: 'inbound',
    sender: '15550002222@s.whatsapp.net',
    text: 'hey all',
    quoted_message_id: null,
    timestamp: 5,
    status: 'received',
    kind: 'text',
  });
  assert.deepEqual(quoted.key, {
    remoteJid: '1203630@g.us',
    fromMe: false,
    id: 'IN1',
    participant: '15550002222@s.whatsapp.net',
  });
  assert.equal(quoted.message?.conversation, 'hey all');
});

test('close reasons are told in words', () => {
  assert.match(closeReasonText(401, undefined), /unlinked/);
  assert.match(closeReasonText(440, undefined), /replaced/);
  assert.equal(closeReasonText(999, 'Stream Errored (unknown)'), 'Stream Errored (unknown)');
  assert.match(
    closeReasonText(408, 'WebSocket Error (getaddrinfo ENOTFOUND web.whatsapp.com)'),
    /cannot be reached: check that this computer is online/,
  );
  assert.match(closeReasonText(408, 'Connection was lost (timed out)'), /timed out/);
  assert.equal(closeReasonText(408, 'QR refs attempts ended', true), 'The code expired before it was scanned');
  assert.match(
    closeReasonText(428, 'Connection Closed', true),
    /closed/,
    'only a timeout while showing a code is expiry',
  );
});
