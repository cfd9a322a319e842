import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../server/store/database.ts';
import { createMessageStore, type MessageStore } from '../../server/store/messages.ts';
import { tempDatabase, type TempDatabase } from '../support/temp-database.ts';
import type { MessageBase, StoredMessage } from '../../server/contract/messages.ts';

const CHAT = '6281234567890@s.whatsapp.net';
let file: TempDatabase;
let db: Database;
let store: MessageStore;

before((t) => {
  file = tempDatabase(t);
  db = file.db;
  store = createMessageStore(db);
});

function message(id: string, timestamp: number, over: Partial<MessageBase> = {}): StoredMessage {
  const text = over.text ?? `text ${id}`;
  return {
    message_id: id,
    chat_jid: CHAT,
    chat_lid: null,
    direction: 'outbound',
    sender: '15559990000@s.whatsapp.net',
    quoted_message_id: null,
    timestamp,
    status: 'sent',
    ...over,
    kind: 'text',
    text,
  };
}

test('a stored message reads back whole, and a redelivered id is not stored twice', () => {
  const m = message('A1', 100, { quoted_message_id: 'Q1', text: 'héllo 👋' });
  assert.equal(store.insert(m), true);
  assert.deepEqual(store.get('A1'), m);
  assert.equal(store.insert({ ...m, text: 'other' }), false);
  assert.equal(store.get('A1')?.text, 'héllo 👋');
  assert.equal(store.get('nope'), null);
});

test('listChat: newest first, limited, with a timestamp or message-id cursor', () => {
  const chat = '6289999999999@s.whatsapp.net';
  // Two messages share a second: insertion order breaks the tie.
  for (const [id, t] of [
    ['L1', 10],
    ['L2', 20],
    ['L3', 20],
    ['L4', 30],
  ] as const) {
    store.insert(message(id, t, { chat_jid: chat }));
  }
  store.insert(message('OTHER', 25, { chat_jid: '6281111111111@s.whatsapp.net' }));
  const ids = (list: StoredMessage[]) => list.map((m) => m.message_id);
  assert.deepEqual(ids(store.listChat([chat], { limit: 10 })), ['L4', 'L3', 'L2', 'L1']);
  assert.deepEqual(ids(store.listChat([chat], { limit: 2 })), ['L4', 'L3']);
  assert.deepEqual(ids(store.listChat([chat], { limit: 2, before: 'L3' })), ['L2', 'L1']);
  assert.deepEqual(ids(store.listChat([chat], { limit: 10, before: 20 })), ['L1']);
  assert.deepEqual(ids(store.listChat([chat], { limit: 10, before: 'L1' })), []);
  assert.deepEqual(store.listChat([chat], { limit: 10, before: 'OTHER' }), [], 'a cursor from another chat');
  assert.deepEqual(store.listChat([chat], { limit: 10, before: 'unknown' }), []);
});

test('listRecent: the latest messages of every chat, newest first', () => {
  const ids = store.listRecent(3).map((m) => m.message_id);
  assert.deepEqual(ids, ['A1', 'L4', 'OTHER']);
});

test('status moves forward only: read beats a late delivered', () => {
  store.insert(message('S1', 200));
  assert.deepEqual(store.setStatus('S1', 'delivered', 201), [
    { message_id: 'S1', chat_jid: CHAT, status: 'delivered', at: 201 },
  ]);
  assert.deepEqual(
    store.setStatus('S1', 'read', 202).map((c) => c.status),
    ['read'],
  );
  assert.deepEqual(store.setStatus('S1', 'delivered', 203), []);
  assert.deepEqual(store.setStatus('S1', 'sent', 204), []);
  assert.deepEqual(store.setStatus('S1', 'failed', 205, 'cancelled'), [], 'a message the server has cannot fail');
  assert.equal(store.get('S1')?.status, 'read');
  assert.deepEqual(store.setStatus('S1', 'read', 206), [], 'the same status twice is not a change');
});

test('a read receipt alone also records the delivery, and says both, in order; times are kept', () => {
  store.insert(message('S2', 300));
  assert.deepEqual(
    store.setStatus('S2', 'read', 305).map((c) => c.status),
    ['delivered', 'read'],
  );
  const row = db.prepare('SELECT sent_at, delivered_at, read_at FROM messages WHERE message_id = ?').get('S2');
  assert.deepEqual({ ...row }, { sent_at: 300, delivered_at: 305, read_at: 305 });
});

test('a queued message goes through sending; a receipt before the ack says sent first', () => {
  store.insert(message('Q1', 350, { status: 'queued' }));
  assert.deepEqual(
    store.setStatus('Q1', 'sending', 351).map((c) => c.status),
    ['sending'],
  );
  assert.deepEqual(
    store.setStatus('Q1', 'delivered', 352).map((c) => c.status),
    ['sent', 'delivered'],
  );
  const row = db.prepare('SELECT sent_at, delivered_at FROM messages WHERE message_id = ?').get('Q1');
  assert.deepEqual({ ...row }, { sent_at: 352, delivered_at: 352 });
});

test('failure is recorded with its reason, and inbound or unknown messages have no status changes', () => {
  store.insert(message('F1', 400, { status: 'sending' }));
  assert.deepEqual(store.setStatus('F1', 'failed', 401, 'server_rejected:463'), [
    { message_id: 'F1', chat_jid: CHAT, status: 'failed', at: 401, reason: 'server_rejected:463' },
  ]);
  assert.equal(store.detail('F1')?.failure_reason, 'server_rejected:463');
  assert.deepEqual(store.requeue('F1', 402), { message_id: 'F1', chat_jid: CHAT, status: 'queued', at: 402 });
  assert.equal(store.detail('F1')?.failure_reason, null);
  assert.equal(store.requeue('F1', 403), null, 'only a failed message goes back in line');
  store.insert(message('IN1', 500, { direction: 'inbound', status: 'received' }));
  assert.deepEqual(store.setStatus('IN1', 'read', 501), []);
  assert.deepEqual(store.setStatus('missing', 'read', 501), []);
});

test('messages survive reopening the file', () => {
  assert.equal(createMessageStore(file.open()).get('S1')?.status, 'read');
});
