import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterEachCommit, transaction } from '../../server/store/database.ts';
import { createEventBus } from '../../server/events.ts';
import { createEventLog, type LoggedEvent } from '../../server/store/event-log.ts';
import { createMessageStore } from '../../server/store/messages.ts';
import { acceptedJob, createOutboxStore, type NewJob } from '../../server/store/outbox.ts';
import type { MessageContent } from '../../server/contract/message-content.ts';
import { createGroupCommit } from '../../server/store/group-commit.ts';
import { tempDatabase } from '../support/temp-database.ts';
import type { StoredMessage } from '../../server/contract/messages.ts';

/**
 * A message's state change and its event land in one commit (NOTES.md, "the send path's commits"): the event log
 * records the change in the store's transaction, and the bus's emit after the commit only tells the subscribers.
 */
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
  const [queued] = w.outbox.add(job);
  assert.ok(queued);
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

test('a message the worker takes at once is accepted with its first attempt in the same commit: queued, then sending', (t) => {
  const w = setUp(t);
  let commits = 0;
  afterEachCommit(w.db, () => commits++);
  const changes = w.outbox.add({ ...job, first_step: 'attempt' });
  assert.deepEqual(
    changes.map((c) => c.status),
    ['queued', 'sending'],
  );
  assert.deepEqual(w.rows(), [
    ['message.status', 'queued'],
    ['message.status', 'sending'],
  ]);
  assert.equal(commits, 1);
  assert.equal(w.outbox.get('M1')?.attempts, 1, 'its frame may leave: the attempt is counted');
  assert.deepEqual(w.outbox.cancel('M1', 102), { kind: 'left' }, 'so it cannot be cancelled');
  assert.equal(w.messages.get('M1')?.status, 'sending');
});

test('a typed message the worker takes at once is accepted as sending in the same commit, its tries still 0', (t) => {
  const w = setUp(t);
  let commits = 0;
  afterEachCommit(w.db, () => commits++);
  const changes = w.outbox.add({ ...job, typing_simulation: true, first_step: 'sending' });
  assert.deepEqual(
    changes.map((c) => c.status),
    ['queued', 'sending'],
  );
  assert.equal(commits, 1);
  assert.equal(w.outbox.get('M1')?.attempts, 0, 'nothing has left: no try counted');
  assert.equal(w.messages.get('M1')?.status, 'sending');
  assert.equal(w.outbox.cancel('M1', 102).kind, 'cancelled', 'so it can still be cancelled while typed');
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

test("a receipt's status rides in the next commit (here the next acceptance) with its event, and is told after it", async (t) => {
  const { db, open, file } = tempDatabase(t);
  const commits = createGroupCommit({ db, file, onError: (e) => assert.fail(String(e)) });
  const events = createEventBus();
  const log = createEventLog({ db, events });
  const messages = createMessageStore(db, log, commits.unpromised, commits.later);
  const outbox = createOutboxStore(db, messages, Date.now, log, commits.unpromised);
  const reader = open();
  const statusSeen = () =>
    (reader.prepare("SELECT status FROM messages WHERE message_id = 'M1'").get() as { status: string }).status;
  outbox.add({ ...job, first_step: 'attempt' });
  outbox.complete('M1', 101);
  const told: string[] = [];
  messages.reportStatus('M1', 'delivered', 102, (changes) => {
    told.push(...changes.map((c) => `${c.status} (reader sees ${statusSeen()})`));
  });
  assert.equal(statusSeen(), 'sent', 'not committed on its own');
  assert.deepEqual(told, []);
  outbox.add({ ...job, message: { ...MESSAGE, message_id: 'M2' } });
  assert.deepEqual(told, ['delivered (reader sees delivered)'], 'committed with the acceptance, then told');
  assert.deepEqual(
    log.since(0).map((e) => [(e.data as { message_id: string }).message_id, (e.data as { status: string }).status]),
    [
      ['M1', 'queued'],
      ['M1', 'sending'],
      ['M1', 'sent'],
      ['M1', 'delivered'],
      ['M2', 'queued'],
    ],
    'logged in the order it happened',
  );
  await commits.close();
});

test('the job a message is accepted with (what the worker sends when it takes it at once) is the one the outbox reads back', (t) => {
  const w = setUp(t);
  const target = { message_id: 'T', from_me: true, participant: null };
  const media = {
    sha256: 'ab'.repeat(32),
    mime_type: 'image/png',
    size: 3,
    file_name: null,
    url: '/messages/M/media',
    seconds: null,
    width: 1,
    height: 1,
    waveform: null,
  };
  const contents: MessageContent[] = [
    { kind: 'text', text: 'hello' },
    { kind: 'location', location: { latitude: 1.5, longitude: 2, name: null, address: 'here' } },
    { kind: 'contact_card', contacts: [{ name: 'A', phone: '1555', email: null, organization: null }] },
    { kind: 'poll', poll: { question: 'Lunch?', options: ['Rice', 'Noodles'], selectable_count: 1 } },
    { kind: 'reaction', target, emoji: '✅' },
    { kind: 'edit', target, text: 'fixed' },
    { kind: 'delete', target },
    { kind: 'image', caption: null, media } as MessageContent,
  ];
  contents.forEach((content, i) => {
    const id = `M${i}`;
    const accepted: NewJob = {
      message: { ...MESSAGE, message_id: id, text: null, quoted_message_id: i === 1 ? 'M0' : null, ...content },
      secret: content.kind === 'poll' ? Buffer.alloc(32, 7) : null,
      typing_simulation: i % 2 === 0,
      presence_simulation: i % 3 === 0,
      mentions: i === 2 ? ['1@s.whatsapp.net'] : [],
      send_at: null,
      first_step: i % 2 === 0 ? 'sending' : 'attempt',
    };
    w.outbox.add(accepted);
    const { secret, ...given } = acceptedJob(accepted);
    const { secret: stored, ...read } = w.outbox.get(id)!;
    assert.deepEqual(given, read, content.kind);
    assert.deepEqual(secret && [...secret], stored && [...stored]);
  });
});
