import type { StatementSync } from 'node:sqlite';
import type { Database } from './database.ts';
import { migrate, type Migrations, transaction } from './database.ts';
import type { EventLog } from './event-log.ts';
import { runNow, runPromised, type Later, type Unpromised } from './group-commit.ts';
import { createQueries, sql, sqlJoin } from './sql.ts';
import type { MessageDetail, MessageStatus, MessageStatusChange, StoredMessage } from '../contract/messages.ts';
import { contentOf, type MessageContent } from '../contract/message-content.ts';

export const MESSAGES_MIGRATIONS: Migrations = {
  part: 'messages',
  steps: {
    0: `CREATE TABLE messages (
       seq INTEGER PRIMARY KEY AUTOINCREMENT,
       message_id TEXT NOT NULL UNIQUE,
       chat_jid TEXT NOT NULL,
       direction TEXT NOT NULL CHECK (direction IN ('outbound', 'inbound')),
       sender TEXT NOT NULL,
       text TEXT,
       quoted_message_id TEXT,
       timestamp INTEGER NOT NULL,
       status TEXT NOT NULL,
       sent_at INTEGER,
       delivered_at INTEGER,
       read_at INTEGER,
       failed_at INTEGER,
       status_reason TEXT
     )`,
    1: 'CREATE INDEX messages_by_chat ON messages (chat_jid, timestamp DESC, seq DESC)',
    2: 'CREATE INDEX messages_by_time ON messages (timestamp DESC, seq DESC)',
    3: 'ALTER TABLE messages ADD COLUMN chat_lid TEXT',
    // What the message says, by kind (server/contract/message-content.ts), and a poll's secret that its votes are
    // encrypted with; the texts stored so far become text content, and what had no text a kind WaGate did not read.
    4: `ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'other';
        ALTER TABLE messages ADD COLUMN content TEXT NOT NULL DEFAULT '{"kind":"other","whatsapp_type":null}';
        ALTER TABLE messages ADD COLUMN message_secret BLOB;
        UPDATE messages SET kind = 'text', content = json_object('kind', 'text', 'text', text) WHERE text IS NOT NULL;`,
    // When its sender edited it, or deleted it for everyone.
    5: `ALTER TABLE messages ADD COLUMN edited_at INTEGER;
        ALTER TABLE messages ADD COLUMN deleted_at INTEGER;`,
    // Pacing reads the last day's sends at start (pacing-history.ts): without it, a scan of the whole history.
    6: `CREATE INDEX messages_outbound_by_left ON messages (COALESCE(sent_at, timestamp)) WHERE direction = 'outbound'`,
    // Pacing asks, before every first send, whether the chat ever wrote to us (pacing-history.ts): through
    // messages_by_chat that read every message of a chat that never had, one more per send.
    7: `CREATE INDEX messages_inbound_by_chat ON messages (chat_jid, timestamp) WHERE direction = 'inbound'`,
  },
};

/** The order a message's status moves in; it never goes back (a late "delivered" after "read" is dropped). */
const RANK: Record<MessageStatus, number> = {
  queued: 0,
  sending: 1,
  failed: 1.5,
  sent: 2,
  delivered: 3,
  read: 4,
  received: 5,
};
/** The steps a receipt implies: a read says sent and delivered too, each reported in order. */
const IMPLIED: readonly MessageStatus[] = ['sent', 'delivered', 'read'];

/** The steps WhatsApp reports of a sent message. */
export type ReportedStatus = 'sent' | 'delivered' | 'read';

/** The column that records when a message reached each status. */
const TIME_COLUMN: Partial<Record<MessageStatus, string>> = {
  sent: 'sent_at',
  delivered: 'delivered_at',
  read: 'read_at',
  failed: 'failed_at',
};

export interface ListOptions {
  limit: number;
  /** Only messages older than this: a unix-seconds timestamp, or the message_id of the last one already seen. */
  before?: number | string;
}

export interface MessageStore {
  /**
   * Stores a message once; false when its id was already stored (WhatsApp redelivers). `secret`: the message's own
   * secret (a poll's, that its votes are encrypted with).
   */
  insert(m: StoredMessage, secret?: Uint8Array | null): boolean;
  get(id: string): StoredMessage | null;
  /** The secret a message was stored with, or null. */
  secretOf(id: string): Uint8Array | null;
  /** Its sender edited a text: it now says `text`; false unless it is a text that is not deleted. */
  edit(id: string, text: string, at: number): boolean;
  /**
   * Its sender deleted it for everyone: what it said is gone (a text's words become ""; other kinds keep their
   * content, as WhatsApp's phones show "deleted" over them); false when unknown or already deleted.
   */
  markDeleted(id: string, at: number): boolean;
  detail(id: string): MessageDetail | null;
  /** A chat's messages, newest first; a person's chat is every JID they are known by (phone number and LID). */
  listChat(chatJids: readonly string[], o: ListOptions): StoredMessage[];
  /** The latest messages of every chat, newest first (the dashboard's recent activity). */
  listRecent(limit: number): StoredMessage[];
  /**
   * Moves a message forward to `status` at `at` (unix seconds), with every step it implies that it had not reached
   * (a read before the delivery: delivered, then read), in order; none when unknown or not forward.
   */
  setStatus(id: string, status: MessageStatus, at: number, reason?: string): MessageStatusChange[];
  /**
   * `setStatus` for a step WhatsApp reports (a receipt's delivered or read), which no answer waits for: committed
   * with the next transaction or within the group window (group-commit.ts, `later`); `told` gets the changes once
   * they are committed, to emit them, so nobody hears of a change a reader could not see yet.
   */
  reportStatus(id: string, status: ReportedStatus, at: number, told: (changes: MessageStatusChange[]) => void): void;
  /** A failed message goes back to queued to be sent again (the outbox's retry); null unless it had failed. */
  requeue(id: string, at: number): MessageStatusChange | null;
}

interface Row {
  seq: number;
  message_id: string;
  chat_jid: string;
  chat_lid: string | null;
  direction: StoredMessage['direction'];
  sender: string;
  text: string | null;
  quoted_message_id: string | null;
  timestamp: number;
  status: MessageStatus;
  content: string;
  edited_at: number | null;
  deleted_at: number | null;
}

function toMessage(row: Row): StoredMessage {
  return {
    message_id: row.message_id,
    chat_jid: row.chat_jid,
    chat_lid: row.chat_lid,
    direction: row.direction,
    sender: row.sender,
    text: row.text,
    quoted_message_id: row.quoted_message_id,
    timestamp: row.timestamp,
    status: row.status,
    ...(row.edited_at === null ? {} : { edited_at: row.edited_at }),
    ...(row.deleted_at === null ? {} : { deleted_at: row.deleted_at }),
    ...(JSON.parse(row.content) as MessageContent),
  };
}

const COLUMNS = sql`seq, message_id, chat_jid, chat_lid, direction, sender, text, quoted_message_id, timestamp, status,
  content, edited_at, deleted_at`;

/**
 * `log`: where each status change is recorded in the transaction that makes it (the caller emits it on the bus after
 * the commit). `unpromised` (the group commit's) runs the commits of `sent`, `delivered` and `read`: facts WhatsApp's
 * server holds, which no answer waits for (NOTES.md, "sendpath"); `later`, those of receipts (`reportStatus`).
 */
export function createMessageStore(
  db: Database,
  log?: Pick<EventLog, 'record'>,
  unpromised: Unpromised = runPromised,
  later: Later = runNow,
): MessageStore {
  migrate(db, MESSAGES_MIGRATIONS);
  const record = (changes: MessageStatusChange[]) => {
    for (const change of changes) log?.record('message.status', change);
    return changes;
  };
  const queries = createQueries(db);
  const insertRow = db.prepare(
    `INSERT INTO messages (message_id, chat_jid, chat_lid, direction, sender, text, quoted_message_id, timestamp, status,
       sent_at, kind, content, message_secret)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`,
  );
  const secretById = db.prepare('SELECT message_secret FROM messages WHERE message_id = ?');
  const editRow = db.prepare(
    `UPDATE messages SET text = ?, content = json_set(content, '$.text', ?), edited_at = ?
     WHERE message_id = ? AND kind = 'text' AND deleted_at IS NULL`,
  );
  const deleteRow = db.prepare(
    `UPDATE messages SET text = CASE kind WHEN 'text' THEN '' ELSE NULL END, deleted_at = ?,
       content = CASE kind WHEN 'text' THEN json_set(content, '$.text', '') ELSE content END
     WHERE message_id = ? AND deleted_at IS NULL`,
  );
  const byId = db.prepare(`SELECT ${COLUMNS.text} FROM messages WHERE message_id = ?`);
  const recent = db.prepare(`SELECT ${COLUMNS.text} FROM messages ORDER BY timestamp DESC, seq DESC LIMIT ?`);

  const get = (id: string): Row | undefined => byId.get(id) as Row | undefined;
  const timesById = db.prepare(
    'SELECT sent_at, delivered_at, read_at, failed_at, status_reason FROM messages WHERE message_id = ?',
  );

  function detail(id: string): MessageDetail | null {
    const row = get(id);
    if (!row) return null;
    const times = timesById.get(id) as {
      sent_at: number | null;
      delivered_at: number | null;
      read_at: number | null;
      failed_at: number | null;
      status_reason: string | null;
    };
    return {
      ...toMessage(row),
      status_times: {
        sent: times.sent_at,
        delivered: times.delivered_at,
        read: times.read_at,
        failed: times.failed_at,
      },
      failure_reason: row.status === 'failed' ? times.status_reason : null,
    };
  }

  function listChat(chatJids: readonly string[], { limit, before }: ListOptions): StoredMessage[] {
    const where = [sql`chat_jid IN (${sqlJoin(chatJids.map((jid) => sql`${jid}`))})`];
    if (typeof before === 'number') where.push(sql`timestamp < ${before}`);
    else if (before !== undefined) {
      const cursor = get(before);
      if (!cursor || !chatJids.includes(cursor.chat_jid)) return [];
      where.push(sql`(timestamp, seq) < (${cursor.timestamp}, ${cursor.seq})`);
    }
    const rows = queries.all<Row>(
      sql`SELECT ${COLUMNS} FROM messages WHERE ${sqlJoin(where, sql` AND `)}
          ORDER BY timestamp DESC, seq DESC LIMIT ${limit}`,
    );
    return rows.map(toMessage);
  }

  /** What a status change needs to know of the message: not its content (a send moves its status three times). */
  const stateById = db.prepare('SELECT chat_jid, direction, status FROM messages WHERE message_id = ?');
  /**
   * The UPDATE for a change through `steps` (the status, its reason, when each step was reached), prepared at its
   * first use: there are a handful, and building the SQL for each change cost more than running it.
   */
  const statusUpdates = new Map<string, StatementSync>();
  function statusUpdate(steps: readonly MessageStatus[]): StatementSync {
    const key = steps.join();
    let update = statusUpdates.get(key);
    if (!update) {
      const times = steps.flatMap((step) => {
        const column = TIME_COLUMN[step];
        return column ? [`, ${column} = COALESCE(${column}, ?3)`] : [];
      });
      update = db.prepare(`UPDATE messages SET status = ?1, status_reason = ?2${times.join('')} WHERE message_id = ?4`);
      statusUpdates.set(key, update);
    }
    return update;
  }
  function setStatus(id: string, status: MessageStatus, at: number, reason?: string): MessageStatusChange[] {
    const commit = IMPLIED.includes(status) ? unpromised : runPromised;
    return commit(() =>
      transaction(db, () => {
        const row = stateById.get(id) as Pick<Row, 'chat_jid' | 'direction' | 'status'> | undefined;
        if (!row || !movesForward(row, status)) return [];
        const steps = IMPLIED.includes(status)
          ? IMPLIED.filter((step) => RANK[step] > RANK[row.status] && RANK[step] <= RANK[status])
          : [status];
        statusUpdate(steps).run(status, reason ?? null, at, id);
        return record(
          steps.map((step) => {
            const change: MessageStatusChange = { message_id: id, chat_jid: row.chat_jid, status: step, at };
            if (step === status && reason !== undefined) change.reason = reason;
            return change;
          }),
        );
      }),
    );
  }

  const requeueRow = db.prepare(
    "UPDATE messages SET status = 'queued', status_reason = NULL, failed_at = NULL WHERE message_id = ? AND status = 'failed'",
  );
  function requeue(id: string, at: number): MessageStatusChange | null {
    const row = get(id);
    if (!row || requeueRow.run(id).changes === 0) return null;
    return record([{ message_id: id, chat_jid: row.chat_jid, status: 'queued', at }])[0]!;
  }

  return {
    insert(m, secret = null) {
      const sentAt = m.direction === 'outbound' && m.status === 'sent' ? m.timestamp : null;
      const result = insertRow.run(
        m.message_id,
        m.chat_jid,
        m.chat_lid,
        m.direction,
        m.sender,
        m.text,
        m.quoted_message_id,
        m.timestamp,
        m.status,
        sentAt,
        m.kind,
        JSON.stringify(contentOf(m)),
        secret,
      );
      return result.changes > 0;
    },
    get: (id) => {
      const row = get(id);
      return row ? toMessage(row) : null;
    },
    edit: (id, text, at) => editRow.run(text, text, at, id).changes > 0,
    markDeleted: (id, at) => deleteRow.run(at, id).changes > 0,
    secretOf(id) {
      const row = secretById.get(id) as { message_secret: Uint8Array | null } | undefined;
      return row?.message_secret ?? null;
    },
    detail,
    listChat,
    listRecent: (limit) => (recent.all(limit) as unknown as Row[]).map(toMessage),
    setStatus,
    reportStatus: (id, status, at, told) => later(() => setStatus(id, status, at), told),
    requeue,
  };
}

function movesForward(row: Pick<Row, 'direction' | 'status'>, status: MessageStatus): boolean {
  if (row.direction === 'inbound' || status === 'received') return false;
  // Only a message WhatsApp's server does not have yet can fail.
  if (status === 'failed') return row.status === 'queued' || row.status === 'sending';
  return RANK[status] > RANK[row.status];
}
