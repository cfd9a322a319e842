import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commitMark, isSynced, transaction } from '../../server/store/database.ts';
import { createEventBus } from '../../server/events.ts';
import { createEventLog, type LoggedEvent } from '../../server/store/event-log.ts';
import { createMessageStore } from '../../server/store/messages.ts';
import { createOutboxStore } from '../../server/store/outbox.ts';
import { tempDatabase } from '../support/temp-database.ts';
import type { StoredMessage } from '../../server/contract/messages.ts';

/**
 * A message's state change and its event land in one commit (NOTES.md, "the send path's commits"): the event log
 * records the change in the store's transaction, and the bus's emit after the commit only tells the subscribers.
 */
const FULL = 2;

function setUp(t: Parameters<typeof tempDatabase>[0]) {
  const { db, open } = tempDatabase(t);
  const events = createEventBus();
  const log = createEventLog({ db, events });
  const messages = createMessageStore(db, log);
  const outbox = createOutboxStore(db, messages, Date.now, log);
  const told: LoggedEvent[] = [];
  log.subscribe((e) => told.push(e));
  const rows = () => log.since(0).map((e) => [e.type, (e.data as { status?: string }).status]);
  return { db, open, events, log, messages, outbox, told, rows };
}

const MESSAGE: StoredMessage = {
  message_id: 'M1',
  chat_jid: '15550001111@s.whatsapp.net',
  chat_lid: null,
  direction: 'outbound',
  sender: '15559990000@s.whatsapp.net',
  text: 'hello',
  quoted_message_id: null,
  timestamp: 100,
  status: 'queued',
  kind: 'text',
};
const job = { message: MESSAGE, typing_simulation: false, presence_simulation: false, send_at: null };

test('accepting a message stores it, its job and its queued event together; the emit tells subscribers once', (t) => {
  const w = setUp(t);
  const queued = w.outbox.add(job);
  assert.deepEqual(w.rows(), [['message.status', 'queued']], 'the event is in the log before anyone emits it');
  assert.equal(w.told.length, 0, 'nobody is told before the commit is done and the change emitted');
  w.events.emit('message.status', queued);
  assert.deepEqual(w.rows(), [['message.status', 'queued']], 'logged once, not again by the emit');
  assert.deepEqual(
    w.told.map((e) => e.data),
    [queued],
  );
  assert.equal(w.outbox.pending().length, 1);
});

test('a status change rolled back leaves no event behind, and the next one is logged', (t) => {
  const w = setUp(t);
  w.outbox.add(job);
  assert.throws(() =>
    transaction(w.db, () => {
      w.outbox.beginAttempt('M1', 101);
      throw new Error('the commit fails');
    }),
  );
  assert.equal(w.messages.get('M1')?.status, 'queued');
  assert.equal(w.outbox.get('M1')?.attempts, 0);
  assert.deepEqual(w.rows(), [['message.status', 'queued']]);
  const sending = w.outbox.beginAttempt('M1', 101)!;
  const sent = w.outbox.complete('M1', 102);
  for (const change of [...sending, ...sent]) w.events.emit('message.status', change);
  assert.deepEqual(w.rows(), [
    ['message.status', 'queued'],
    ['message.status', 'sending'],
    ['message.status', 'sent'],
  ]);
  assert.deepEqual(
    w.told.map((e) => (e.data as { status: string }).status),
    ['sending', 'sent'],
  );
  assert.equal(w.outbox.get('M1'), null, 'the job is done with the ack');
});

test('a change another part emits without recording it is still logged, once', (t) => {
  const w = setUp(t);
  const change = { message_id: 'X', chat_jid: MESSAGE.chat_jid, status: 'delivered' as const, at: 5 };
  w.events.emit('message.status', change);
  assert.deepEqual(w.rows(), [['message.status', 'delivered']]);
  assert.equal(w.told.length, 1);
});

test('a commit that asks only for process durability leaves the connection at synchronous=FULL, also when it fails', (t) => {
  const w = setUp(t);
  const synchronous = () => w.db.prepare('PRAGMA synchronous').get()!.synchronous;
  w.outbox.add(job);
  w.outbox.complete('M1', 102);
  assert.equal(synchronous(), FULL);
  assert.throws(() =>
    transaction(
      w.db,
      () => {
        throw new Error('no');
      },
      'process',
    ),
  );
  assert.equal(synchronous(), FULL);
  const other = w.open();
  assert.equal(
    other.prepare("SELECT status FROM messages WHERE message_id = 'M1'").get()!.status,
    'sent',
    'committed: another connection reads it',
  );
});

test('a message accepted for a later answer is put on disk before that answer, with one FULL commit at most', (t) => {
  const w = setUp(t);
  w.outbox.add(job, 'process');
  const accepted = commitMark(w.db);
  assert.equal(isSynced(w.db, accepted), false, 'accepted without an fsync');
  w.outbox.ensureSynced('M1');
  assert.equal(isSynced(w.db, accepted), true, 'on disk before the answer');
  const after = commitMark(w.db);
  w.outbox.ensureSynced('M1');
  assert.equal(commitMark(w.db), after, 'asked again: nothing more to write');

  w.outbox.add({ ...job, message: { ...MESSAGE, message_id: 'M2' } }, 'process');
  w.outbox.beginAttempt('M2', 101);
  // Baileys' key write as the frame leaves: a FULL commit, which syncs what came before it.
  transaction(w.db, () => w.db.exec('CREATE TABLE IF NOT EXISTS scratch (x); INSERT INTO scratch VALUES (1)'));
  const synced = commitMark(w.db);
  w.outbox.ensureSynced('M2');
  assert.equal(commitMark(w.db), synced, 'already on disk: no commit of its own');
});
