import { test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { migrate, type Migrations } from '../../server/store/database.ts';
import { ADMIN_SESSIONS_MIGRATIONS } from '../../server/store/admin-sessions.ts';
import { API_KEYS_MIGRATIONS } from '../../server/store/api-keys.ts';
import { createSqliteAuthState } from '../../server/store/auth-state.ts';
import { AUTH_STATE_MIGRATIONS, openSavedCredentials } from '../../server/store/saved-credentials.ts';
import { EVENT_LOG_MIGRATIONS } from '../../server/store/event-log.ts';
import { LID_MAPPINGS_MIGRATIONS } from '../../server/store/lid-mappings.ts';
import { RECONNECT_LOG_MIGRATIONS } from '../../server/store/reconnect-log.ts';
import { MEMBER_RECEIPTS_MIGRATIONS } from '../../server/store/member-receipts.ts';
import { IDEMPOTENCY_MIGRATIONS } from '../../server/store/idempotency.ts';
import { MESSAGES_MIGRATIONS, createMessageStore } from '../../server/store/messages.ts';
import { OUTBOX_MIGRATIONS, createOutboxStore } from '../../server/store/outbox.ts';
import { WEBHOOKS_MIGRATIONS } from '../../server/webhooks/webhook-store.ts';
import { newSecret, signedHeaders } from '../../server/webhooks/signature.ts';
import { Webhook } from 'standardwebhooks';
import { SANDBOX_MIGRATIONS } from '../../server/sandbox/store.ts';
import { schemaOf, upTo } from '../support/migrations.ts';
import { tempDatabase } from '../support/temp-database.ts';

/**
 * Every step of every part, with what it changes in the schema: a new step fails the last test until it is listed
 * here. Steps that carry data over have a test of their own below (the sandbox's in test/sandbox/store.test.ts).
 */
/** Each step, with what it adds and removes; `needs`: parts whose tables it refers to (a foreign key), migrated first. */
const STEPS: [Migrations, number, { added: string[]; removed?: string[]; needs?: Migrations[] }][] = [
  [AUTH_STATE_MIGRATIONS, 0, { added: ['table wa_creds (id, data)'] }],
  [AUTH_STATE_MIGRATIONS, 1, { added: ['table wa_keys (type, id, data)'] }],
  [AUTH_STATE_MIGRATIONS, 2, { added: ['table wa_creds (id, data, linked)'], removed: ['table wa_creds (id, data)'] }],
  [
    ADMIN_SESSIONS_MIGRATIONS,
    0,
    { added: ['table admin_login_tokens (hash, expires_at)', 'table admin_sessions (hash, expires_at)'] },
  ],
  [
    API_KEYS_MIGRATIONS,
    0,
    { added: ['table api_keys (id, name, hash, created_at, last_used_at, expires_at, revoked_at)'] },
  ],
  [EVENT_LOG_MIGRATIONS, 0, { added: ['table event_log (id, type, data, at)'] }],
  [EVENT_LOG_MIGRATIONS, 1, { added: ['index event_log_by_time on event_log'] }],
  [EVENT_LOG_MIGRATIONS, 2, { added: ['index event_log_by_type on event_log'] }],
  [
    EVENT_LOG_MIGRATIONS,
    3,
    { added: ['index event_log_sessions on event_log'], removed: ['index event_log_by_type on event_log'] },
  ],
  [EVENT_LOG_MIGRATIONS, 4, { added: [], removed: ['index event_log_by_time on event_log'] }],
  [
    MESSAGES_MIGRATIONS,
    0,
    {
      added: [
        'table messages (seq, message_id, chat_jid, direction, sender, text, quoted_message_id, timestamp, status, sent_at, delivered_at, read_at, failed_at, status_reason)',
      ],
    },
  ],
  [MESSAGES_MIGRATIONS, 1, { added: ['index messages_by_chat on messages'] }],
  [MESSAGES_MIGRATIONS, 2, { added: ['index messages_by_time on messages'] }],
  [
    MESSAGES_MIGRATIONS,
    3,
    {
      added: [
        'table messages (seq, message_id, chat_jid, direction, sender, text, quoted_message_id, timestamp, status, sent_at, delivered_at, read_at, failed_at, status_reason, chat_lid)',
      ],
      removed: [
        'table messages (seq, message_id, chat_jid, direction, sender, text, quoted_message_id, timestamp, status, sent_at, delivered_at, read_at, failed_at, status_reason)',
      ],
    },
  ],
  [
    MESSAGES_MIGRATIONS,
    4,
    {
      added: [
        'table messages (seq, message_id, chat_jid, direction, sender, text, quoted_message_id, timestamp, status, sent_at, delivered_at, read_at, failed_at, status_reason, chat_lid, kind, content, message_secret)',
      ],
      removed: [
        'table messages (seq, message_id, chat_jid, direction, sender, text, quoted_message_id, timestamp, status, sent_at, delivered_at, read_at, failed_at, status_reason, chat_lid)',
      ],
    },
  ],
  [
    MESSAGES_MIGRATIONS,
    5,
    {
      added: [
        'table messages (seq, message_id, chat_jid, direction, sender, text, quoted_message_id, timestamp, status, sent_at, delivered_at, read_at, failed_at, status_reason, chat_lid, kind, content, message_secret, edited_at, deleted_at)',
      ],
      removed: [
        'table messages (seq, message_id, chat_jid, direction, sender, text, quoted_message_id, timestamp, status, sent_at, delivered_at, read_at, failed_at, status_reason, chat_lid, kind, content, message_secret)',
      ],
    },
  ],
  [MESSAGES_MIGRATIONS, 6, { added: ['index messages_outbound_by_left on messages'] }],
  [MESSAGES_MIGRATIONS, 7, { added: ['index messages_inbound_by_chat on messages'] }],
  [
    OUTBOX_MIGRATIONS,
    0,
    {
      added: [
        'table outbox (seq, message_id, chat_jid, text, quoted_message_id, typing_simulation, presence_simulation, send_at, created_at, attempts, failed)',
      ],
    },
  ],
  [OUTBOX_MIGRATIONS, 1, { added: ['index outbox_by_chat on outbox'] }],
  [
    OUTBOX_MIGRATIONS,
    2,
    {
      added: [
        'table outbox (seq, message_id, chat_jid, text, quoted_message_id, typing_simulation, presence_simulation, send_at, created_at, attempts, failed, mentions)',
      ],
      removed: [
        'table outbox (seq, message_id, chat_jid, text, quoted_message_id, typing_simulation, presence_simulation, send_at, created_at, attempts, failed)',
      ],
    },
  ],
  [
    OUTBOX_MIGRATIONS,
    3,
    {
      added: [
        'table outbox (seq, message_id, chat_jid, quoted_message_id, typing_simulation, presence_simulation, send_at, created_at, attempts, failed, mentions)',
      ],
      removed: [
        'table outbox (seq, message_id, chat_jid, text, quoted_message_id, typing_simulation, presence_simulation, send_at, created_at, attempts, failed, mentions)',
      ],
    },
  ],
  [OUTBOX_MIGRATIONS, 4, { added: [], removed: ['index outbox_by_chat on outbox'] }],
  [
    OUTBOX_MIGRATIONS,
    5,
    {
      added: [
        'table outbox (message_id, chat_jid, quoted_message_id, typing_simulation, presence_simulation, send_at, created_at, attempts, failed, mentions)',
      ],
      removed: [
        'table outbox (seq, message_id, chat_jid, quoted_message_id, typing_simulation, presence_simulation, send_at, created_at, attempts, failed, mentions)',
      ],
      needs: [MESSAGES_MIGRATIONS],
    },
  ],
  [LID_MAPPINGS_MIGRATIONS, 0, { added: ['table lid_mappings (lid, pn, updated_at)'] }],
  [LID_MAPPINGS_MIGRATIONS, 1, { added: ['index lid_mappings_by_pn on lid_mappings'] }],
  [RECONNECT_LOG_MIGRATIONS, 0, { added: ['table session_reconnects (seq, at, cause)'] }],
  [RECONNECT_LOG_MIGRATIONS, 1, { added: ['index session_reconnects_by_time on session_reconnects'] }],
  [MEMBER_RECEIPTS_MIGRATIONS, 0, { added: ['table member_receipts (message_id, member, delivered_at, read_at)'] }],
  [IDEMPOTENCY_MIGRATIONS, 0, { added: ['table idempotency_keys (scope, key, fingerprint, created_at, code, body)'] }],
  [IDEMPOTENCY_MIGRATIONS, 1, { added: ['index idempotency_keys_by_time on idempotency_keys'] }],
  [
    WEBHOOKS_MIGRATIONS,
    0,
    {
      added: [
        'table webhooks (id, url, events, secret, status, paused_reason, paused_at, failing_since, consecutive_failures, created_at)',
      ],
    },
  ],
  [
    WEBHOOKS_MIGRATIONS,
    1,
    {
      added: [
        'table webhook_deliveries (id, webhook_id, event_id, event_type, body, attempts, next_attempt_at, status, last_error, last_status_code, created_at, delivered_at)',
      ],
    },
  ],
  [WEBHOOKS_MIGRATIONS, 2, { added: ['index webhook_deliveries_queue on webhook_deliveries'] }],
  [WEBHOOKS_MIGRATIONS, 3, { added: ['index webhook_deliveries_by_time on webhook_deliveries'] }],
  [WEBHOOKS_MIGRATIONS, 4, { added: ['table webhook_cursor (id, last_event_id)'] }],
  [WEBHOOKS_MIGRATIONS, 5, { added: [] }],
  [
    SANDBOX_MIGRATIONS,
    0,
    {
      added: [
        'table sandbox_kv (key, value)',
        'table sandbox_inbox (seq, number, entry)',
        'index sandbox_inbox_number on sandbox_inbox',
      ],
    },
  ],
  [SANDBOX_MIGRATIONS, 1, { added: [] }],
  // Its generated column is virtual: PRAGMA table_info does not list it, its index shows it.
  [SANDBOX_MIGRATIONS, 2, { added: ['index sandbox_inbox_message on sandbox_inbox'] }],
];

const difference = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).sort();

for (const [migrations, n, { added, removed = [], needs = [] }] of STEPS) {
  test(`${migrations.part} step ${n}: ${added.join('; ') || 'no change to the schema'}`, (t) => {
    const { db } = tempDatabase(t);
    for (const part of needs) migrate(db, part);
    migrate(db, upTo(migrations, n));
    const before = schemaOf(db);
    migrate(db, upTo(migrations, n + 1));
    const after = schemaOf(db);
    assert.deepEqual(difference(after, before), [...added].sort());
    assert.deepEqual(difference(before, after), [...removed].sort());
  });
}

/** The parts that declare migrations anywhere in server/, by the name of their export. */
function declaredParts(): string[] {
  const files = readdirSync('server', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  return files.flatMap((f) =>
    [...readFileSync(join('server', f), 'utf8').matchAll(/export const (\w+): Migrations = \{\s*part: '(\w+)'/g)].map(
      (match) => match[2]!,
    ),
  );
}

test('every migration step of every part has its test above', () => {
  const parts = new Set(STEPS.map(([m]) => m));
  assert.deepEqual([...new Set([...parts].map((m) => m.part))].sort(), declaredParts().sort());
  const listed = STEPS.map(([m, n]) => `${m.part} ${n}`).sort();
  const shipped = [...parts].flatMap((m) => Object.keys(m.steps).map((n) => `${m.part} ${n}`)).sort();
  assert.deepEqual(listed, shipped);
});

test('auth_state step 2: stored credentials stay, and count as not linked until they are saved again', (t) => {
  const file = tempDatabase(t);
  migrate(file.db, upTo(AUTH_STATE_MIGRATIONS, 2));
  file.db.prepare('INSERT INTO wa_creds (id, data) VALUES (1, ?)').run('{"registrationId":7}');
  migrate(file.db, AUTH_STATE_MIGRATIONS);
  assert.deepEqual(
    { ...file.db.prepare('SELECT data, linked FROM wa_creds').get() },
    {
      data: '{"registrationId":7}',
      linked: 0,
    },
  );
  assert.equal(createSqliteAuthState(openSavedCredentials(file.db)).state.creds.registrationId, 7);
});

test('messages step 3: stored messages stay, with no LID for their chat', (t) => {
  const { db } = tempDatabase(t);
  migrate(db, upTo(MESSAGES_MIGRATIONS, 3));
  db.prepare(
    `INSERT INTO messages (message_id, chat_jid, direction, sender, text, timestamp, status)
     VALUES ('M1', '15550001111@s.whatsapp.net', 'inbound', '15550001111@s.whatsapp.net', 'hi', 100, 'received')`,
  ).run();
  const stored = createMessageStore(db).get('M1');
  assert.equal(stored?.text, 'hi');
  assert.equal(stored?.chat_lid, null);
});

test('messages step 4 and outbox step 3: stored texts become text content, and a text waiting in the outbox still leaves as it was', (t) => {
  const { db } = tempDatabase(t);
  migrate(db, upTo(MESSAGES_MIGRATIONS, 4));
  migrate(db, upTo(OUTBOX_MIGRATIONS, 3));
  const insert = db.prepare(
    `INSERT INTO messages (message_id, chat_jid, direction, sender, text, timestamp, status)
     VALUES (?, '15550001111@s.whatsapp.net', ?, 'me', ?, 100, ?)`,
  );
  insert.run('IN', 'inbound', 'hi', 'received');
  insert.run('PHOTO', 'inbound', null, 'received');
  insert.run('OUT', 'outbound', 'on its way', 'queued');
  db.prepare(
    `INSERT INTO outbox (message_id, chat_jid, text, typing_simulation, presence_simulation, created_at, mentions)
     VALUES ('OUT', '15550001111@s.whatsapp.net', 'on its way', 1, 0, 100, '["1@s.whatsapp.net"]')`,
  ).run();
  const messages = createMessageStore(db);
  const outbox = createOutboxStore(db, messages, () => 100_000);
  assert.deepEqual(
    ['IN', 'PHOTO', 'OUT'].map((id) => {
      const m = messages.get(id)!;
      return { kind: m.kind, text: m.text };
    }),
    [
      { kind: 'text', text: 'hi' },
      { kind: 'other', text: null },
      { kind: 'text', text: 'on its way' },
    ],
  );
  const job = outbox.get('OUT');
  assert.deepEqual(job?.content, { kind: 'text', text: 'on its way' });
  assert.deepEqual(job?.mentions, ['1@s.whatsapp.net']);
  assert.equal(job?.typing_simulation, true);
  assert.equal(job?.secret, null);
});

test('outbox step 5: every job stays, failed or waiting, with its tries, and they leave in the order they were accepted', (t) => {
  const { db } = tempDatabase(t);
  migrate(db, MESSAGES_MIGRATIONS);
  migrate(db, upTo(OUTBOX_MIGRATIONS, 5));
  const message = db.prepare(
    `INSERT INTO messages (message_id, chat_jid, direction, sender, text, timestamp, status, kind, content)
     VALUES (?, '15550001111@s.whatsapp.net', 'outbound', 'me', 'hi', 100, ?, 'text', '{"kind":"text","text":"hi"}')`,
  );
  const job = db.prepare(
    `INSERT INTO outbox (message_id, chat_jid, typing_simulation, presence_simulation, send_at, created_at, attempts,
       failed, mentions)
     VALUES (?, '15550001111@s.whatsapp.net', 1, 0, ?, 100, ?, ?, NULL)`,
  );
  for (const [id, status, sendAt, attempts, failed] of [
    ['FIRST', 'sending', null, 2, 0],
    ['FAILED', 'failed', null, 1, 1],
    ['LATER', 'queued', 200, 0, 0],
  ] as const) {
    message.run(id, status);
    job.run(id, sendAt, attempts, failed);
  }
  const outbox = createOutboxStore(db, createMessageStore(db), () => 100_000);
  assert.deepEqual(
    outbox.list().map((j) => [j.message_id, j.stage, j.attempts]),
    [
      ['FIRST', 'sending', 2],
      ['FAILED', 'failed', 1],
      ['LATER', 'scheduled', 0],
    ],
  );
  assert.deepEqual(
    outbox.pending().map((j) => [j.message_id, j.attempts, j.send_at]),
    [
      ['FIRST', 2, null],
      ['LATER', 0, 200],
    ],
  );
});

test("webhooks step 5: a secret made before Standard Webhooks keeps its bytes, in the alphabet the standard's libraries read", (t) => {
  const { db } = tempDatabase(t);
  migrate(db, upTo(WEBHOOKS_MIGRATIONS, 5));
  const bytes = Buffer.alloc(32, 0xfb);
  const old = `whsec_${bytes.toString('base64url')}`;
  assert.match(old, /-.*_|_.*-/, 'one that Standard Webhooks libraries refuse');
  const made = newSecret();
  const insert = db.prepare(
    "INSERT INTO webhooks (id, url, events, secret, created_at) VALUES (?, 'http://127.0.0.1/', '[]', ?, 1)",
  );
  insert.run('wh_old', old);
  insert.run('wh_new', made);
  migrate(db, WEBHOOKS_MIGRATIONS);
  const secretOf = (id: string) =>
    (db.prepare('SELECT secret FROM webhooks WHERE id = ?').get(id) as { secret: string }).secret;
  const stored = secretOf('wh_old');
  assert.equal(stored, `whsec_${bytes.toString('base64')}`);
  assert.equal(
    stored,
    `whsec_${old.slice(6).replaceAll('-', '+').replaceAll('_', '/')}=`,
    "the README's conversion of the old text",
  );
  assert.equal(secretOf('wh_new'), made, 'a standard secret stays as it is');
  const headers = signedHeaders(stored, 'dlv_1', Math.floor(Date.now() / 1000), '{}');
  assert.deepEqual(new Webhook(stored).verify('{}', headers), {});
});

test('a part renamed keeps the steps it had done under its former name', (t) => {
  const { db } = tempDatabase(t);
  migrate(db, { ...upTo(AUTH_STATE_MIGRATIONS, 2), part: 'auth-state', formerly: undefined });
  migrate(db, AUTH_STATE_MIGRATIONS);
  const done = db.prepare('SELECT part, step FROM schema_migrations ORDER BY step').all();
  assert.deepEqual(
    done.map((r) => ({ ...r })),
    [0, 1, 2].map((step) => ({ part: 'auth_state', step })),
  );
  assert.ok(schemaOf(db).has('table wa_creds (id, data, linked)'));
});

test('steps must be numbered 0, 1, 2… with none missing', (t) => {
  const { db } = tempDatabase(t);
  assert.throws(() => migrate(db, { part: 'gappy', steps: { 0: 'SELECT 1', 2: 'SELECT 2' } }), /numbered 0, 1, 2/);
});
