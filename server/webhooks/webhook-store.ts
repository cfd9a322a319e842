import { randomBytes } from 'node:crypto';
import { migrate, type Migrations, transaction, type Database } from '../store/database.ts';
import { publicEvent, type LoggedEvent } from '../store/event-log.ts';
import { runPromised, type Unpromised } from '../store/group-commit.ts';
import { LOGGED_EVENT_TYPES, type LoggedEventType } from '../contract/events.ts';
import {
  webhookUrlProblem,
  type DeliveryRecord,
  type WebhookRecord,
  type WebhookStatus,
} from '../contract/webhooks.ts';
import { unixSeconds } from '../contract/time.ts';
import { newSecret } from './signature.ts';

/**
 * What the dispatcher sends: the delivery with its raw body and the secret to sign it with. Unlike a DeliveryRecord,
 * its times are the store's Unix ms (the dispatcher reckons with them); it is never handed out.
 */
export interface DueDelivery extends DeliveryRecord {
  url: string;
  secret: string;
  body: string;
}

export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

export interface WebhookStore {
  /** The secret is returned here, once; it is kept (it must sign) but never listed or logged. */
  add(input: { url: string; events?: readonly LoggedEventType[] }): { webhook: WebhookRecord; secret: string };
  list(): WebhookRecord[];
  get(id: string): WebhookRecord | null;
  /** Deletes the webhook and its queue; null when unknown. */
  remove(id: string): WebhookRecord | null;
  /** Newest first. */
  deliveries(webhookId: string, limit?: number): DeliveryRecord[];
  /** Unpauses and makes its next delivery due now; null when unknown. */
  resume(id: string): WebhookRecord | null;
  pause(id: string, reason: string): void;
  /** Called after add, remove and resume, so the dispatcher in this process wakes at once. */
  onChange(fn: () => void): () => void;

  // For the dispatcher.
  /** The id of the last event turned into deliveries. */
  cursor(): number;
  /** One delivery per active or paused webhook whose filter takes it (and that existed then), and the cursor, in one transaction. */
  enqueue(events: readonly LoggedEvent[]): void;
  /** Whether any webhook exists (active or paused): without one, events need not be read to move the cursor. */
  hasWebhooks(): boolean;
  /** Moves the cursor to `eventId` with no delivery: for events logged while no webhook existed. */
  skipTo(eventId: number): void;
  /** Of each active webhook, the oldest unsent delivery: the only one that may be sent next. */
  heads(): DueDelivery[];
  /**
   * Records one attempt; on failure, `retryAt` is when to try again. Returns the webhook after it, its times in the
   * store's Unix ms (as `now` and `retryAt` are), for the dispatcher's reckoning: not a record to hand out.
   */
  recordAttempt(delivery: DueDelivery, result: AttemptResult, now: number, retryAt: number): WebhookRecord | null;
  /** Gives up on unsent deliveries created before `createdBefore` (returns how many), forgets finished ones created before `forgetBefore`. */
  expire(createdBefore: number, forgetBefore: number): number;
}

export const WEBHOOKS_MIGRATIONS: Migrations = {
  part: 'webhooks',
  steps: {
    0: `CREATE TABLE webhooks (
       id TEXT PRIMARY KEY,
       url TEXT NOT NULL,
       events TEXT NOT NULL,
       secret TEXT NOT NULL,
       status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
       paused_reason TEXT,
       paused_at INTEGER,
       failing_since INTEGER,
       consecutive_failures INTEGER NOT NULL DEFAULT 0,
       created_at INTEGER NOT NULL
     )`,
    1: `CREATE TABLE webhook_deliveries (
       id TEXT PRIMARY KEY,
       webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
       event_id INTEGER NOT NULL,
       event_type TEXT NOT NULL,
       body TEXT NOT NULL,
       attempts INTEGER NOT NULL DEFAULT 0,
       next_attempt_at INTEGER,
       status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
       last_error TEXT,
       last_status_code INTEGER,
       created_at INTEGER NOT NULL,
       delivered_at INTEGER,
       UNIQUE (webhook_id, event_id)
     )`,
    2: `CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (webhook_id, event_id) WHERE status IN ('pending', 'failed')`,
    3: 'CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (created_at)',
    4: 'CREATE TABLE webhook_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), last_event_id INTEGER NOT NULL)',
    // Secrets made before WaGate followed Standard Webhooks are base64url, which its libraries refuse: the same random
    // bytes, written in the standard alphabet and padded. A receiver holding the old text converts it alike (README).
    5: `UPDATE webhooks SET secret = 'whsec_' || replace(replace(substr(secret, 7), '-', '+'), '_', '/')
         || substr('==', 1, (4 - (length(secret) - 6) % 4) % 4)
       WHERE substr(secret, 1, 6) = 'whsec_' AND secret NOT LIKE '%='`,
  },
};

interface WebhookRow {
  id: string;
  url: string;
  events: string;
  secret: string;
  status: WebhookStatus;
  paused_reason: string | null;
  paused_at: number | null;
  failing_since: number | null;
  consecutive_failures: number;
  created_at: number;
  pending_deliveries: number;
}

/** The webhook with its times as the store keeps them, Unix ms: for the dispatcher only. */
function toStoredWebhook(row: WebhookRow): WebhookRecord {
  const { secret: _secret, events, ...rest } = row;
  return { ...rest, events: JSON.parse(events) as LoggedEventType[] };
}

const seconds = (ms: number | null): number | null => (ms === null ? null : unixSeconds(ms));

/**
 * The webhook as the dashboard and the CLI see it. The rows keep Unix ms (the dispatcher does arithmetic on them);
 * the record says its times in seconds, as the whole API does.
 */
function toWebhook(row: WebhookRow): WebhookRecord {
  const stored = toStoredWebhook(row);
  return {
    ...stored,
    paused_at: seconds(stored.paused_at),
    failing_since: seconds(stored.failing_since),
    created_at: unixSeconds(stored.created_at),
  };
}

/** A delivery as handed out: its times in seconds (the row keeps ms). */
function toDelivery(row: DeliveryRecord): DeliveryRecord {
  return {
    ...row,
    next_attempt_at: seconds(row.next_attempt_at),
    created_at: unixSeconds(row.created_at),
    delivered_at: seconds(row.delivered_at),
  };
}

const WEBHOOK_SELECT = `SELECT w.*, (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.status IN ('pending', 'failed')) AS pending_deliveries FROM webhooks w`;
const DELIVERY_COLUMNS =
  'id, webhook_id, event_id, event_type, attempts, next_attempt_at, status, last_error, last_status_code, created_at, delivered_at';
/** The oldest unsent delivery of each active webhook: deliveries to one webhook go in event order. */
const HEADS = `SELECT d.*, w.url, w.secret FROM webhooks w
  JOIN webhook_deliveries d ON d.webhook_id = w.id AND d.event_id = (
    SELECT MIN(q.event_id) FROM webhook_deliveries q WHERE q.webhook_id = w.id AND q.status IN ('pending', 'failed'))
  WHERE w.status = 'active'`;

/** `unpromised` (the group commit's) runs the deliveries' commits: made again from the event log if a power cut loses them. */
export function createWebhookStore(
  db: Database,
  now: () => number = Date.now,
  unpromised: Unpromised = runPromised,
): WebhookStore {
  migrate(db, WEBHOOKS_MIGRATIONS);
  const statements = {
    byId: db.prepare(`${WEBHOOK_SELECT} WHERE w.id = ?`),
    all: db.prepare(`${WEBHOOK_SELECT} ORDER BY w.created_at, w.id`),
    filters: db.prepare('SELECT id, events, created_at FROM webhooks'),
    insert: db.prepare('INSERT INTO webhooks (id, url, events, secret, created_at) VALUES (?, ?, ?, ?, ?)'),
    remove: db.prepare('DELETE FROM webhooks WHERE id = ?'),
    resume: db.prepare(
      `UPDATE webhooks SET status = 'active', paused_reason = NULL, paused_at = NULL, failing_since = NULL, consecutive_failures = 0 WHERE id = ?`,
    ),
    pause: db.prepare(`UPDATE webhooks SET status = 'paused', paused_reason = ?, paused_at = ? WHERE id = ?`),
    succeeded: db.prepare('UPDATE webhooks SET failing_since = NULL, consecutive_failures = 0 WHERE id = ?'),
    failed: db.prepare(
      'UPDATE webhooks SET failing_since = COALESCE(failing_since, ?), consecutive_failures = consecutive_failures + 1 WHERE id = ?',
    ),
    deliveries: db.prepare(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = ? ORDER BY event_id DESC LIMIT ?`,
    ),
    dueNow: db.prepare(
      `UPDATE webhook_deliveries SET next_attempt_at = ? WHERE webhook_id = ? AND status IN ('pending', 'failed')`,
    ),
    insertDelivery: db.prepare(
      `INSERT OR IGNORE INTO webhook_deliveries (id, webhook_id, event_id, event_type, body, status, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
    ),
    heads: db.prepare(HEADS),
    delivered: db.prepare(
      `UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_status_code = ?, last_error = NULL, next_attempt_at = NULL, delivered_at = ? WHERE id = ?`,
    ),
    retryLater: db.prepare(
      `UPDATE webhook_deliveries SET status = 'failed', attempts = attempts + 1, last_status_code = ?, last_error = ?, next_attempt_at = ? WHERE id = ?`,
    ),
    giveUp: db.prepare(
      `UPDATE webhook_deliveries SET status = 'dead', next_attempt_at = NULL WHERE status IN ('pending', 'failed') AND created_at < ?`,
    ),
    forgetFinished: db.prepare(
      `DELETE FROM webhook_deliveries WHERE status IN ('delivered', 'dead') AND created_at < ?`,
    ),
    cursor: db.prepare('SELECT last_event_id FROM webhook_cursor WHERE id = 1'),
    any: db.prepare('SELECT 1 FROM webhooks LIMIT 1'),
    moveCursor: db.prepare(
      'INSERT INTO webhook_cursor (id, last_event_id) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET last_event_id = MAX(last_event_id, excluded.last_event_id)',
    ),
  };
  const listeners = new Set<() => void>();
  const changed = (): void => {
    for (const fn of listeners) fn();
  };
  const find = (id: string): WebhookRecord | null => {
    const row = statements.byId.get(id) as WebhookRow | undefined;
    return row ? toWebhook(row) : null;
  };

  return {
    add({ url, events = LOGGED_EVENT_TYPES }) {
      const problem = webhookUrlProblem(url);
      if (problem) throw new Error(problem);
      const id = `wh_${randomBytes(6).toString('hex')}`;
      const secret = newSecret();
      const filter = LOGGED_EVENT_TYPES.filter((t) => events.includes(t));
      statements.insert.run(id, url, JSON.stringify(filter), secret, now());
      changed();
      return { webhook: find(id)!, secret };
    },
    list() {
      return (statements.all.all() as unknown as WebhookRow[]).map(toWebhook);
    },
    get: find,
    remove(id) {
      const record = find(id);
      if (!record) return null;
      statements.remove.run(id);
      changed();
      return record;
    },
    deliveries(webhookId, limit = 50) {
      return (statements.deliveries.all(webhookId, limit) as unknown as DeliveryRecord[]).map(toDelivery);
    },
    resume(id) {
      if (!find(id)) return null;
      transaction(db, () => {
        statements.resume.run(id);
        statements.dueNow.run(now(), id);
      });
      changed();
      return find(id);
    },
    pause(id, reason) {
      statements.pause.run(reason, now(), id);
    },
    onChange(fn) {
      listeners.add(fn);
      return () => {
        listeners.delete(fn);
      };
    },

    cursor() {
      const row = statements.cursor.get() as { last_event_id: number } | undefined;
      return row?.last_event_id ?? 0;
    },
    enqueue(events) {
      if (events.length === 0) return;
      const hooks = statements.filters.all() as unknown as Pick<WebhookRow, 'id' | 'events' | 'created_at'>[];
      const filters = hooks.map((h) => ({ ...h, types: new Set(JSON.parse(h.events) as string[]) }));
      // Made from the event log, with the cursor: a power cut that loses this loses both, and they are made again.
      unpromised(() =>
        transaction(db, () => {
          for (const e of events) {
            let body: string | null = null;
            for (const hook of filters) {
              // A webhook added later (say by the CLI while the server was down) does not get the events before it.
              if (!hook.types.has(e.type) || hook.created_at > e.at) continue;
              body ??= JSON.stringify(publicEvent(e));
              statements.insertDelivery.run(
                `dlv_${randomBytes(8).toString('hex')}`,
                hook.id,
                e.id,
                e.type,
                body,
                e.at,
                e.at,
              );
            }
          }
          statements.moveCursor.run(events.at(-1)!.id);
        }),
      );
    },
    hasWebhooks: () => statements.any.get() !== undefined,
    skipTo(eventId) {
      unpromised(() => transaction(db, () => void statements.moveCursor.run(eventId)));
    },
    heads() {
      return statements.heads.all() as unknown as DueDelivery[];
    },
    recordAttempt(delivery, result, at, retryAt) {
      transaction(db, () => {
        if (result.ok) {
          statements.delivered.run(result.statusCode, at, delivery.id);
          statements.succeeded.run(delivery.webhook_id);
        } else {
          statements.retryLater.run(result.statusCode, result.error, retryAt, delivery.id);
          statements.failed.run(at, delivery.webhook_id);
        }
      });
      const row = statements.byId.get(delivery.webhook_id) as WebhookRow | undefined;
      return row ? toStoredWebhook(row) : null;
    },
    expire(createdBefore, forgetBefore) {
      return transaction(db, () => {
        const { changes } = statements.giveUp.run(createdBefore);
        statements.forgetFinished.run(forgetBefore);
        return Number(changes);
      });
    },
  };
}
