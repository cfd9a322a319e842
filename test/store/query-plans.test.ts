import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatementSync } from 'node:sqlite';
import type { Database } from '../../server/store/database.ts';
import { createApiKeyStore } from '../../server/store/api-keys.ts';
import { createAdminSessions } from '../../server/store/admin-sessions.ts';
import { createIdempotencyStore } from '../../server/store/idempotency.ts';
import { createEventLog } from '../../server/store/event-log.ts';
import { createMessageStore } from '../../server/store/messages.ts';
import { createOutboxStore } from '../../server/store/outbox.ts';
import { createWebhookStore } from '../../server/webhooks/webhook-store.ts';
import { openSavedCredentials } from '../../server/store/saved-credentials.ts';
import { createSqliteAuthState } from '../../server/store/auth-state.ts';
import { createLidMappings } from '../../server/store/lid-mappings.ts';
import { createMemberReceipts } from '../../server/store/member-receipts.ts';
import { createPacingHistory } from '../../server/store/pacing-history.ts';
import { createReconnectLog } from '../../server/store/reconnect-log.ts';
import { createEventBus } from '../../server/events.ts';
import { tempDatabase } from '../support/temp-database.ts';

/**
 * Every query a hot path runs is found by running that path against a real file and recording the SQL its statements
 * execute, so a query added later is checked without being listed here. Each one's plan must reach its rows through an
 * index: a full table SCAN grows with the table on every request.
 */

/** Tables whose every row the query must visit, and why that stays small. */
const SCANNED_ON_PURPOSE: Record<string, string> = {
  webhooks: 'the webhooks the user added: the dispatcher visits each one, a handful',
  sqlite_sequence: "SQLite's own table, one row per AUTOINCREMENT table",
};

/** Records the SQL each statement prepared on `db` from now on actually runs. */
function recordQueries(db: Database): () => string[] {
  const ran = new Set<string>();
  const prepare = db.prepare.bind(db);
  db.prepare = (text: string) => {
    const statement = prepare(text);
    for (const method of ['run', 'get', 'all', 'iterate'] as const) {
      const original = statement[method].bind(statement) as (...args: unknown[]) => unknown;
      (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        ran.add(text);
        return original(...args);
      };
    }
    return statement as StatementSync;
  };
  return () => {
    const found = [...ran];
    ran.clear();
    return found;
  };
}

/** The table a plan's name stands for: itself, or the table it aliases in `query`. */
function tableOf(name: string, query: string): string {
  return new RegExp(`\\b(?:FROM|JOIN)\\s+(\\w+)\\s+(?:AS\\s+)?${name}\\b`, 'i').exec(query)?.[1] ?? name;
}

/** The lines of a plan that read a whole table (or a whole index without a LIMIT to stop it). */
function fullScans(db: Database, query: string): string[] {
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${query}`).all() as { detail: string }[];
  return plan
    .map((row) => row.detail)
    .filter((detail) => {
      const scan = /^SCAN (\w+)( USING (?:COVERING )?INDEX)?/.exec(detail);
      if (!scan || tableOf(scan[1]!, query) in SCANNED_ON_PURPOSE) return false;
      return !scan[2] || !/\bLIMIT\b/i.test(query);
    });
}

function assertIndexedOn(db: Database, path: string, queries: string[]): void {
  assert.ok(queries.length > 0, `${path} ran no query: the recording missed it`);
  for (const query of queries) assert.deepEqual(fullScans(db, query), [], `${path}: ${query.replace(/\s+/g, ' ')}`);
}

test('every query on a hot path reaches its rows through an index', (t) => {
  const file = tempDatabase(t);
  const { db } = file;
  const ran = recordQueries(db);
  // Plans are read on a connection of their own, which the recording does not see.
  const assertIndexed = (path: string, queries: string[]) => assertIndexedOn(file.open(), path, queries);
  const events = createEventBus();

  const keys = createApiKeyStore(db);
  const { key } = keys.create({ name: 'bench', expiresAt: null });
  ran();
  assert.ok(keys.verify(key).ok);
  keys.isActive(key.slice(3, 11));
  assertIndexed('API-key lookup', ran());

  const admin = createAdminSessions(db);
  const session = admin.createSession();
  ran();
  assert.ok(admin.isValidSession(session));
  assertIndexed('admin session check', ran());

  const idempotency = createIdempotencyStore(db);
  ran();
  assert.equal(idempotency.claim('key', 'k1', 'f').kind, 'new');
  idempotency.finish('key', 'k1', 200, { status: 200 });
  assert.equal(idempotency.claim('key', 'k1', 'f').kind, 'replay');
  assert.equal(idempotency.claim('key', 'k2', 'f').kind, 'new');
  idempotency.release('key', 'k2');
  assertIndexed('idempotency claim, finish, release and cleanup', ran());

  const messages = createMessageStore(db);
  const chat = '15550001111@s.whatsapp.net';
  for (const [id, timestamp] of [
    ['M1', 100],
    ['M2', 200],
  ] as const) {
    messages.insert({
      message_id: id,
      chat_jid: chat,
      chat_lid: null,
      direction: 'inbound',
      sender: chat,
      text: 'hi',
      quoted_message_id: null,
      timestamp,
      status: 'received',
      kind: 'text',
    });
  }
  ran();
  assert.equal(messages.get('M1')?.text, 'hi');
  assert.ok(messages.detail('M2'));
  assert.equal(messages.listChat([chat], { limit: 10 }).length, 2);
  assert.equal(messages.listChat([chat], { limit: 10, before: 'M2' }).length, 1);
  assert.equal(messages.listChat([chat], { limit: 10, before: 150 }).length, 1);
  assert.equal(messages.listRecent(10).length, 2);
  assertIndexed('message get and list', ran());

  const sendLog = createEventLog({ db, events });
  const sending = createMessageStore(db, sendLog);
  const outbox = createOutboxStore(db, sending, Date.now, sendLog);
  const outgoing = (id: string) => ({
    message: {
      message_id: id,
      chat_jid: chat,
      chat_lid: null,
      direction: 'outbound' as const,
      sender: chat,
      text: 'hello',
      quoted_message_id: null,
      timestamp: 300,
      status: 'queued' as const,
      kind: 'text' as const,
    },
    typing_simulation: false,
    presence_simulation: false,
    send_at: null,
  });
  ran();
  outbox.add(outgoing('S1'));
  assert.ok(outbox.get('S1'));
  assert.ok(outbox.beginAttempt('S1', 301));
  outbox.complete('S1', 302);
  outbox.settle('S1');
  sending.setStatus('S1', 'delivered', 303);
  assertIndexed('a send: accept, attempt, ack, receipt', ran());
  outbox.add(outgoing('S2'));
  outbox.fail('S2', 'expired', 304);
  assert.ok(outbox.retry('S2', 305));
  assert.equal(outbox.cancel('S2', 306).kind, 'cancelled');
  outbox.drop('S2');
  assertIndexed('an outbox failure, retry, cancel and drop', ran());
  sendLog.close();

  const log = createEventLog({ db, events });
  events.emit('message.received', messages.get('M1')!);
  log.close();
  ran();
  const restarted = createEventLog({ db, events });
  assertIndexed('event log start-up (last session.state, pruning)', ran());
  assert.equal(restarted.since(0).at(-1)?.type, 'message.received');
  restarted.latestId();
  restarted.oldestId();
  assertIndexed('event log replay', ran());

  const webhooks = createWebhookStore(db);
  ran();
  assert.equal(webhooks.hasWebhooks(), false);
  webhooks.skipTo(restarted.latestId());
  assertIndexed('webhook cursor with no webhook (every send)', ran());
  webhooks.add({ url: 'http://127.0.0.1:9/hook' });
  events.emit('message.received', messages.get('M2')!);
  ran();
  webhooks.enqueue(restarted.since(webhooks.cursor()));
  const [head] = webhooks.heads();
  assert.ok(head);
  webhooks.recordAttempt(head, { ok: false, statusCode: 500, error: 'HTTP 500' }, Date.now(), Date.now() + 1000);
  assert.equal(webhooks.heads().length, 1);
  assertIndexed('webhook queue pick', ran());
  restarted.close();
});

test("the WhatsApp session's own queries reach their rows through an index", async (t) => {
  const file = tempDatabase(t);
  const { db } = file;
  const ran = recordQueries(db);
  const assertIndexed = (path: string, queries: string[]) => assertIndexedOn(file.open(), path, queries);
  const chat = '15550001111@s.whatsapp.net';
  const lid = '99990001111@lid';

  const auth = createSqliteAuthState(openSavedCredentials(db));
  ran();
  await auth.state.keys.set({ session: { [chat]: Buffer.from('ratchet') as never }, 'pre-key': { '1': null } });
  assert.deepEqual(Object.keys(await auth.state.keys.get('session', [chat, lid])), [chat]);
  auth.saveCreds();
  auth.hasCreds();
  assertIndexed("Signal keys and creds: every send's key transaction", ran());

  const lids = createLidMappings(db);
  ran();
  lids.remember({ pn: chat, lid });
  assert.deepEqual(lids.aliasesOf(chat), [chat, lid]);
  assert.deepEqual(lids.aliasesOf(lid), [chat, lid]);
  assertIndexed('LID mappings: every send, receipt and inbound message', ran());

  const receipts = createMemberReceipts(db);
  ran();
  receipts.record('G1', chat, 'delivered', 100);
  receipts.record('G1', chat, 'read', 101);
  assert.equal(receipts.of('G1').length, 1);
  assertIndexed("group receipts: each member's, and a message's detail", ran());

  createMessageStore(db);
  const pacing = createPacingHistory(db);
  ran();
  assert.equal(pacing.hasWrittenToUs(chat), false);
  assert.deepEqual(pacing.sentSince(0), []);
  assertIndexed("pacing: every send's new-chat check, and the history read at start", ran());

  const reconnects = createReconnectLog(db);
  ran();
  reconnects.record({ at: Date.now(), cause: 'connection_lost' });
  assert.equal(reconnects.countSince(0), 1);
  assert.ok(reconnects.last());
  assertIndexed('reconnects: the session snapshot on every state change', ran());
});

test('a full table scan is caught', (t) => {
  const { db } = tempDatabase(t);
  createIdempotencyStore(db);
  assert.deepEqual(fullScans(db, 'SELECT * FROM idempotency_keys WHERE fingerprint = ?'), ['SCAN idempotency_keys']);
  assert.deepEqual(fullScans(db, 'DELETE FROM idempotency_keys WHERE created_at <= ?'), []);
});
