import type { Database } from './database.ts';
import { migrate, type Migrations } from './database.ts';
import type { CoreEvents } from '../events.ts';
import type { MessageStatusChange, StoredMessage } from '../contract/messages.ts';
import type { SessionSnapshot } from '../contract/session.ts';
import type { LoggedEventType } from '../contract/events.ts';
import type { LoggedSession } from '../contract/event-stream.ts';
import { EVENT_RETENTION_MS } from '../contract/lifetimes.ts';
import type { Logger } from '../logger.ts';
import { unixSeconds } from '../contract/time.ts';

export interface LoggedEvent {
  /** Increases with every event and is never reused, also after pruning: the SSE `id` and `Last-Event-ID`. */
  id: number;
  type: LoggedEventType;
  data: unknown;
  /** Unix ms when it was logged (the log prunes by it); `publicEvent` says it in seconds. */
  at: number;
}

/** An event as `GET /events` and the webhooks say it (LoggedEventSchema): `at` in Unix seconds, as every timestamp. */
export const publicEvent = (e: LoggedEvent): LoggedEvent => ({ ...e, at: unixSeconds(e.at) });

export interface EventLog {
  /** Events after `lastId`, oldest first, at most `limit`. */
  since(lastId: number, limit?: number): LoggedEvent[];
  /** The id of the newest event ever logged, 0 before the first. */
  latestId(): number;
  /** The id of the oldest event still kept, or null when none is. */
  oldestId(): number | null;
  /**
   * Logs an event inside the caller's transaction, so a state change and its event land in one commit. The bus's
   * emit of the same object, after the commit, then only tells the subscribers.
   */
  record(type: LoggedEventType, data: object): void;
  /** Called once per event, after it is stored. Returns the unsubscribe function. */
  subscribe(fn: (e: LoggedEvent) => void): () => void;
  /** Stops listening to the bus; the database stays open. */
  close(): void;
}

export interface EventLogDeps {
  db: Database;
  events: CoreEvents;
  /** How long events are kept for replay; default 7 days. */
  retentionMs?: number;
  now?: () => number;
  logger?: Logger;
}

export const EVENT_LOG_MIGRATIONS: Migrations = {
  part: 'event_log',
  steps: {
    // AUTOINCREMENT: an id is never handed out twice, so a client's Last-Event-ID stays meaningful after pruning.
    0: `CREATE TABLE event_log (
       id INTEGER PRIMARY KEY AUTOINCREMENT,
       type TEXT NOT NULL,
       data TEXT NOT NULL,
       at INTEGER NOT NULL
     )`,
    1: 'CREATE INDEX event_log_by_time ON event_log (at)',
    // The start-up lookup of the last session.state event: without it, a read of the whole log.
    2: 'CREATE INDEX event_log_by_type ON event_log (type, id)',
    // The same lookup through an index of the session events alone: the whole-log index was one more page written
    // with every event (four a send).
    3: `DROP INDEX event_log_by_type;
        CREATE INDEX event_log_sessions ON event_log (id) WHERE type = 'session.state';`,
    // Pruning finds its last id by a binary search over ids (pruneNow): an index of every event's time was one more
    // page written with every event.
    4: 'DROP INDEX event_log_by_time',
  },
};

const DEFAULT_LIMIT = 500;
/** Pruning is a range delete on an index; doing it at most once a minute keeps appends cheap. */
const PRUNE_EVERY_MS = 60_000;

interface Row {
  id: number;
  type: LoggedEventType;
  data: string;
  at: number;
}

const toEvent = (row: Row): LoggedEvent => ({ id: row.id, type: row.type, data: JSON.parse(row.data), at: row.at });

function sessionData(s: SessionSnapshot): LoggedSession {
  return {
    state: s.state,
    account: s.account,
    last_error: s.last_error,
    since: s.since,
    reachout_timelock: s.reachout_timelock,
    message_capping: s.message_capping,
    reconnects_today: s.reconnects_today,
    last_reconnect: s.last_reconnect,
  };
}

/**
 * The bus's public events, kept in SQLite for a retention window so an SSE client or the webhook dispatcher
 * can pick up after the last id it saw.
 */
export function createEventLog(deps: EventLogDeps): EventLog {
  const { db, events, retentionMs = EVENT_RETENTION_MS, now = Date.now, logger } = deps;
  migrate(db, EVENT_LOG_MIGRATIONS);
  const insert = db.prepare('INSERT INTO event_log (type, data, at) VALUES (?, ?, ?)');
  const after = db.prepare('SELECT id, type, data, at FROM event_log WHERE id > ? ORDER BY id LIMIT ?');
  const lowest = db.prepare('SELECT MIN(id) AS id FROM event_log');
  const highest = db.prepare('SELECT MAX(id) AS id FROM event_log');
  const firstFrom = db.prepare('SELECT id, at FROM event_log WHERE id >= ? ORDER BY id LIMIT 1');
  const pruneUpTo = db.prepare('DELETE FROM event_log WHERE id <= ?');
  const latest = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'event_log'");
  const subscribers = new Set<(e: LoggedEvent) => void>();
  let lastPrune = 0;
  const lastLogged = db
    .prepare("SELECT data FROM event_log WHERE type = 'session.state' ORDER BY id DESC LIMIT 1")
    .get() as { data: string } | undefined;
  let lastSession: string | undefined =
    lastLogged && JSON.stringify({ ...(JSON.parse(lastLogged.data) as SessionSnapshot), since: undefined });

  /**
   * The last event logged before `cutoff`, or null. Ids grow with time, so a binary search over ids finds it in a few
   * look-ups by id (an event logged while the clock had gone back may stay a little longer).
   */
  function lastBefore(cutoff: number): number | null {
    const low = (lowest.get() as { id: number | null }).id;
    const high = (highest.get() as { id: number | null }).id;
    if (low === null || high === null) return null;
    let found: number | null = null;
    let from = low;
    let to = high;
    while (from <= to) {
      const middle = Math.floor((from + to) / 2);
      const row = firstFrom.get(middle) as { id: number; at: number } | undefined;
      if (row && row.id <= to && row.at < cutoff) {
        found = row.id;
        from = row.id + 1;
      } else to = middle - 1;
    }
    return found;
  }

  function pruneNow(at: number): void {
    if (at - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = at;
    const last = lastBefore(at - retentionMs);
    if (last !== null) pruneUpTo.run(last);
  }

  /** Events recorded in a transaction, waiting for their emit on the bus. */
  const recorded = new WeakMap<object, LoggedEvent>();

  function store(type: LoggedEventType, data: unknown): LoggedEvent {
    const at = now();
    const { lastInsertRowid } = insert.run(type, JSON.stringify(data), at);
    pruneNow(at);
    return { id: Number(lastInsertRowid), type, data, at };
  }

  function append(type: LoggedEventType, data: unknown): void {
    let event = typeof data === 'object' && data !== null ? recorded.get(data) : undefined;
    if (event) recorded.delete(data as object);
    else {
      try {
        event = store(type, data);
      } catch (error) {
        // The bus is synchronous: throwing here would break the WhatsApp session that emitted.
        logger?.error({ err: error, type }, 'could not log an event');
        return;
      }
    }
    for (const fn of subscribers) {
      try {
        fn(event);
      } catch (error) {
        logger?.error({ err: error, type }, 'an event log subscriber failed');
      }
    }
  }

  const onReceived = (m: StoredMessage): void => append('message.received', m);
  const onStatus = (c: MessageStatusChange): void => append('message.status', c);
  /** What people do to messages is logged as it is told. */
  const DONE_TO_MESSAGES = ['message.reaction', 'message.edited', 'message.deleted', 'poll.vote'] as const;
  const onDone = Object.fromEntries(
    DONE_TO_MESSAGES.map((type) => [type, (data: unknown) => append(type, data)]),
  ) as Record<(typeof DONE_TO_MESSAGES)[number], (data: unknown) => void>;
  const onState = (s: SessionSnapshot): void => {
    // A change of state, account or standing is news; a rotated QR (the same 'qr' state again) is not.
    const data = sessionData(s);
    const key = JSON.stringify({ ...data, since: undefined });
    if (key === lastSession) return;
    lastSession = key;
    append('session.state', data);
  };

  events.on('message.received', onReceived);
  events.on('message.status', onStatus);
  events.on('session.state', onState);
  for (const type of DONE_TO_MESSAGES) events.on(type, onDone[type]);
  pruneNow(now());

  return {
    record(type, data) {
      recorded.set(data, store(type, data));
    },
    since(lastId, limit = DEFAULT_LIMIT) {
      return (after.all(lastId, limit) as unknown as Row[]).map(toEvent);
    },
    latestId() {
      const row = latest.get() as { seq: number } | undefined;
      return row?.seq ?? 0;
    },
    oldestId() {
      const row = db.prepare('SELECT MIN(id) AS id FROM event_log').get() as { id: number | null };
      return row.id;
    },
    subscribe(fn) {
      subscribers.add(fn);
      return () => {
        subscribers.delete(fn);
      };
    },
    close() {
      events.off('message.received', onReceived);
      events.off('message.status', onStatus);
      events.off('session.state', onState);
      for (const type of DONE_TO_MESSAGES) events.off(type, onDone[type]);
      subscribers.clear();
    },
  };
}
