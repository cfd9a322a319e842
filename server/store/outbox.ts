import type { Database } from './database.ts';
import { migrate, transaction, type Migrations } from './database.ts';
import type { MessageStore } from './messages.ts';
import type { EventLog } from './event-log.ts';
import { runPromised, type Unpromised } from './group-commit.ts';
import { MessageStatusSchema, type MessageStatusChange, type StoredMessage } from '../contract/messages.ts';
import type { OutboxEntry, OutboxStage } from '../contract/outbox.ts';
import { contentOf, MessageKindSchema, type MessageContent } from '../contract/message-content.ts';

/** What the outbox keeps to send a message again after a reconnect or a restart. */
export interface OutboxJob {
  message_id: string;
  chat_jid: string;
  /** What it says, as stored with the message: every resend sends exactly this. */
  content: MessageContent;
  /** The message's own secret (a poll's), the same on every resend; null when it has none. */
  secret: Uint8Array | null;
  quoted_message_id: string | null;
  typing_simulation: boolean;
  presence_simulation: boolean;
  /** Group messages: the JIDs the text @-mentions. */
  mentions: string[];
  /** Unix seconds, or null. */
  send_at: number | null;
  created_at: number;
  attempts: number;
}

export interface NewJob {
  message: StoredMessage;
  secret?: Uint8Array | null;
  typing_simulation: boolean;
  presence_simulation: boolean;
  mentions?: string[];
  send_at: number | null;
  /**
   * The worker takes it at once (OutboxWorker.takeAtOnce), and the same commit takes its first step: counts its first
   * attempt, or marks it `sending` as its typing starts.
   */
  first_step?: FirstStep;
}

/** What a job's acceptance may commit with it when the worker takes it at once: its first attempt, or `sending`. */
export type FirstStep = 'attempt' | 'sending';

export type CancelResult = { kind: 'cancelled'; changes: MessageStatusChange[] } | { kind: 'left' | 'not_found' };

export interface OutboxStore {
  /**
   * Stores the message (status queued), its job and its `queued` event in one transaction: from here on it is never
   * lost (once on disk: an answer about it waits for that, group-commit.ts). With `first_step`, the same commit begins
   * its first attempt (`beginAttempt`) or marks it `sending` (`markSending`). The changes are for the caller to emit.
   */
  add(job: NewJob): MessageStatusChange[];
  /** Every job still to send, in the order they were accepted. */
  pending(): OutboxJob[];
  get(id: string): OutboxJob | null;
  /**
   * The message is being sent (typed first, when it is typed): its status, durable. Resends change nothing.
   */
  markSending(id: string, at: number): MessageStatusChange[];
  /**
   * Counts a frame about to be handed to the socket (and marks the message sending, if it was not), in one commit;
   * null if the job was cancelled meanwhile (then it must not leave).
   */
  beginAttempt(id: string, at: number): MessageStatusChange[] | null;
  /**
   * The server acked it: the job is done and the message sent, at `at` (unix seconds). If a power cut loses it before
   * its fsync, the job is sent again with the same id, which the recipient keeps once.
   */
  complete(id: string, at: number): MessageStatusChange[];
  fail(id: string, reason: string, at: number): MessageStatusChange[];
  /** A receipt showed the server has it (its ack was lost): the job is done; false if there was none. */
  settle(id: string): boolean;
  /** Cancels a job whose frame never left. */
  cancel(id: string, at: number): CancelResult;
  /** A failed job goes back in line; null when there is no failed job with that id. */
  retry(id: string, at: number): MessageStatusChange | null;
  /** Forgets a failed job (the message stays failed); false when there is no failed job with that id. */
  drop(id: string): boolean;
  list(): OutboxEntry[];
}

export const OUTBOX_MIGRATIONS: Migrations = {
  part: 'outbox',
  steps: {
    0: `CREATE TABLE outbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     message_id TEXT NOT NULL UNIQUE REFERENCES messages (message_id),
     chat_jid TEXT NOT NULL,
     text TEXT NOT NULL,
     quoted_message_id TEXT,
     typing_simulation INTEGER NOT NULL,
     presence_simulation INTEGER NOT NULL,
     send_at INTEGER,
     created_at INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     failed INTEGER NOT NULL DEFAULT 0
   )`,
    1: 'CREATE INDEX outbox_by_chat ON outbox (chat_jid, seq)',
    2: 'ALTER TABLE outbox ADD COLUMN mentions TEXT',
    // A job sends the content stored with its message (any kind), so the outbox no longer keeps a text of its own.
    3: 'ALTER TABLE outbox DROP COLUMN text',
    // No query looks jobs up by chat (the worker keeps its queues in memory): it was two more pages written per send.
    4: 'DROP INDEX outbox_by_chat',
    // Keyed by its message's id alone (it was a rowid table with a unique index on message_id): one b-tree, so a job's
    // acceptance and its end write one page fewer each. Jobs keep their order by their messages' `seq`.
    5: `CREATE TABLE outbox_jobs (
          message_id TEXT PRIMARY KEY REFERENCES messages (message_id),
          chat_jid TEXT NOT NULL,
          quoted_message_id TEXT,
          typing_simulation INTEGER NOT NULL,
          presence_simulation INTEGER NOT NULL,
          send_at INTEGER,
          created_at INTEGER NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0,
          failed INTEGER NOT NULL DEFAULT 0,
          mentions TEXT
        ) WITHOUT ROWID;
        INSERT INTO outbox_jobs (message_id, chat_jid, quoted_message_id, typing_simulation, presence_simulation, send_at,
            created_at, attempts, failed, mentions)
          SELECT message_id, chat_jid, quoted_message_id, typing_simulation, presence_simulation, send_at, created_at,
            attempts, failed, mentions
          FROM outbox;
        DROP TABLE outbox;
        ALTER TABLE outbox_jobs RENAME TO outbox;`,
  },
};

interface JobRow {
  message_id: string;
  chat_jid: string;
  kind: string;
  text: string | null;
  content: string;
  message_secret: Uint8Array | null;
  quoted_message_id: string | null;
  typing_simulation: number;
  presence_simulation: number;
  mentions: string | null;
  send_at: number | null;
  created_at: number;
  attempts: number;
}

const toJob = (r: JobRow): OutboxJob => ({
  message_id: r.message_id,
  chat_jid: r.chat_jid,
  content: JSON.parse(r.content) as MessageContent,
  secret: r.message_secret,
  quoted_message_id: r.quoted_message_id,
  typing_simulation: r.typing_simulation === 1,
  presence_simulation: r.presence_simulation === 1,
  mentions: r.mentions ? (JSON.parse(r.mentions) as string[]) : [],
  send_at: r.send_at,
  created_at: r.created_at,
  attempts: r.attempts,
});

/** The job `add` stores for `n`, as `get` would read it back right after (what the worker sends). */
export function acceptedJob(n: NewJob): OutboxJob {
  const { message } = n;
  // As stored: JSON, which keeps no undefined field.
  const content = Object.fromEntries(Object.entries(contentOf(message)).filter(([, v]) => v !== undefined));
  return {
    message_id: message.message_id,
    chat_jid: message.chat_jid,
    content: content as MessageContent,
    secret: n.secret ?? null,
    quoted_message_id: message.quoted_message_id,
    typing_simulation: n.typing_simulation,
    presence_simulation: n.presence_simulation,
    mentions: n.mentions ?? [],
    send_at: n.send_at,
    created_at: message.timestamp,
    attempts: n.first_step === 'attempt' ? 1 : 0,
  };
}

const JOB_COLUMNS = `o.message_id, o.chat_jid, m.kind, m.text, m.content, m.message_secret, o.quoted_message_id,
  o.typing_simulation, o.presence_simulation, o.mentions, o.send_at, o.created_at, o.attempts`;
const JOBS = 'outbox o JOIN messages m USING (message_id)';

/**
 * The durable outbox: a job per accepted message until WhatsApp's server acks it (or it fails). A job's end on the
 * server's ack is committed `unpromised`: lost in a power cut, the job is sent again with the same id.
 */
export function createOutboxStore(
  db: Database,
  messages: MessageStore,
  now: () => number,
  log?: Pick<EventLog, 'record'>,
  unpromised: Unpromised = runPromised,
): OutboxStore {
  migrate(db, OUTBOX_MIGRATIONS);
  const insertJob = db.prepare(
    `INSERT INTO outbox (message_id, chat_jid, quoted_message_id, typing_simulation, presence_simulation, mentions,
       send_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const pendingJobs = db.prepare(`SELECT ${JOB_COLUMNS} FROM ${JOBS} WHERE o.failed = 0 ORDER BY m.seq`);
  const jobById = db.prepare(`SELECT ${JOB_COLUMNS} FROM ${JOBS} WHERE o.message_id = ? AND o.failed = 0`);
  const attempt = db.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE message_id = ? AND failed = 0');
  const remove = db.prepare('DELETE FROM outbox WHERE message_id = ?');
  const markFailed = db.prepare('UPDATE outbox SET failed = 1 WHERE message_id = ?');
  const unfail = db.prepare('UPDATE outbox SET failed = 0, attempts = 0 WHERE message_id = ? AND failed = 1');
  const removeFailed = db.prepare('DELETE FROM outbox WHERE message_id = ? AND failed = 1');
  const cancellable = db.prepare('SELECT attempts FROM outbox WHERE message_id = ? AND failed = 0');
  const all = db.prepare(`SELECT ${JOB_COLUMNS}, o.failed, m.status, m.status_reason FROM ${JOBS} ORDER BY m.seq`);

  function beginAttempt(id: string, at: number): MessageStatusChange[] | null {
    return transaction(db, () => (attempt.run(id).changes > 0 ? messages.setStatus(id, 'sending', at) : null));
  }

  function stageOf(row: JobRow & { failed: number; status: string }): OutboxStage {
    if (row.failed) return 'failed';
    if (row.status === 'sending') return 'sending';
    return row.send_at !== null && row.send_at * 1000 > now() ? 'scheduled' : 'queued';
  }

  return {
    add({ message, secret, typing_simulation, presence_simulation, mentions, send_at, first_step }) {
      return transaction(db, () => {
        if (!messages.insert(message, secret)) throw new Error(`message id ${message.message_id} is already taken`);
        insertJob.run(
          message.message_id,
          message.chat_jid,
          message.quoted_message_id,
          typing_simulation ? 1 : 0,
          presence_simulation ? 1 : 0,
          mentions?.length ? JSON.stringify(mentions) : null,
          send_at,
          message.timestamp,
        );
        const queued: MessageStatusChange = {
          message_id: message.message_id,
          chat_jid: message.chat_jid,
          status: 'queued',
          at: message.timestamp,
        };
        log?.record('message.status', queued);
        const { message_id: id, timestamp: at } = message;
        if (first_step === 'attempt') return [queued, ...(beginAttempt(id, at) ?? [])];
        if (first_step === 'sending') return [queued, ...messages.setStatus(id, 'sending', at)];
        return [queued];
      });
    },
    pending: () => (pendingJobs.all() as unknown as JobRow[]).map(toJob),
    get(id) {
      const row = jobById.get(id) as JobRow | undefined;
      return row ? toJob(row) : null;
    },
    markSending: (id, at) => messages.setStatus(id, 'sending', at),
    beginAttempt,
    complete(id, at) {
      return unpromised(() =>
        transaction(db, () => {
          remove.run(id);
          return messages.setStatus(id, 'sent', at);
        }),
      );
    },
    settle: (id) => unpromised(() => transaction(db, () => remove.run(id).changes > 0)),
    fail(id, reason, at) {
      return transaction(db, () => {
        markFailed.run(id);
        return messages.setStatus(id, 'failed', at, reason);
      });
    },
    cancel(id, at) {
      return transaction(db, (): CancelResult => {
        const row = cancellable.get(id) as { attempts: number } | undefined;
        if (!row) return { kind: messages.get(id) ? 'left' : 'not_found' };
        if (row.attempts > 0) return { kind: 'left' };
        remove.run(id);
        return { kind: 'cancelled', changes: messages.setStatus(id, 'failed', at, 'cancelled') };
      });
    },
    retry(id, at) {
      return transaction(db, () => (unfail.run(id).changes > 0 ? messages.requeue(id, at) : null));
    },
    drop: (id) => removeFailed.run(id).changes > 0,
    list() {
      const rows = all.all() as unknown as (JobRow & {
        failed: number;
        status: string;
        status_reason: string | null;
      })[];
      return rows.map((r) => ({
        message_id: r.message_id,
        chat_jid: r.chat_jid,
        kind: MessageKindSchema.parse(r.kind),
        text: r.text,
        stage: stageOf(r),
        status: MessageStatusSchema.parse(r.status),
        created_at: r.created_at,
        send_at: r.send_at,
        attempts: r.attempts,
        failure_reason: r.failed ? r.status_reason : null,
      }));
    },
  };
}
