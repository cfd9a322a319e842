import type { Database } from './database.ts';
import { migrate, type Migrations } from './database.ts';
import type { Reconnect } from '../contract/session.ts';
import { unixSeconds } from '../contract/time.ts';

export const RECONNECT_LOG_MIGRATIONS: Migrations = {
  part: 'session_reconnects',
  steps: {
    0: `CREATE TABLE session_reconnects (
       seq INTEGER PRIMARY KEY AUTOINCREMENT,
       at INTEGER NOT NULL,
       cause TEXT NOT NULL
     )`,
    // The session snapshot counts today's on every state change; a flapping link can log thousands in its month.
    1: 'CREATE INDEX session_reconnects_by_time ON session_reconnects (at)',
  },
};

/** Every time a connected session lost its connection and had to reconnect: when, and why. */
export interface ReconnectLog {
  /** `at` in Unix ms, as the log keeps it. */
  record(r: Reconnect): void;
  /** How many since `since` (unix ms). */
  countSince(since: number): number;
  /** The newest, `at` in Unix seconds as the API says it. */
  last(): Reconnect | null;
}

/** Kept a month; older rows go as new ones come. */
const KEEP_MS = 30 * 24 * 60 * 60_000;

export function createReconnectLog(db: Database): ReconnectLog {
  migrate(db, RECONNECT_LOG_MIGRATIONS);
  const insert = db.prepare('INSERT INTO session_reconnects (at, cause) VALUES (?, ?)');
  const prune = db.prepare('DELETE FROM session_reconnects WHERE at < ?');
  const count = db.prepare('SELECT COUNT(*) AS n FROM session_reconnects WHERE at >= ?');
  const newest = db.prepare('SELECT at, cause FROM session_reconnects ORDER BY at DESC, seq DESC LIMIT 1');
  // The session's snapshot reads both on every call (several per send): from memory until the next record, the only
  // writer (the count's `since` is midnight, so a new day reads the table again).
  let counted: { since: number; n: number } | null = null;
  let latest: Reconnect | null | undefined;
  return {
    record({ at, cause }) {
      insert.run(at, cause);
      prune.run(at - KEEP_MS);
      counted = null;
      latest = undefined;
    },
    countSince(since) {
      if (counted?.since !== since) counted = { since, n: (count.get(since) as { n: number }).n };
      return counted.n;
    },
    last() {
      if (latest === undefined) {
        const row = newest.get() as Reconnect | undefined;
        latest = row ? { at: unixSeconds(row.at), cause: row.cause } : null;
      }
      return latest;
    },
  };
}
