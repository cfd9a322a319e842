import { migrate, type Migrations, type Database } from './database.ts';
import { IDEMPOTENCY_WINDOW_MS } from '../contract/lifetimes.ts';

/** What a request with an `Idempotency-Key` finds when it arrives. */
export type IdempotencyClaim =
  { kind: 'new' } | { kind: 'replay'; code: number; body: unknown } | { kind: 'mismatch' } | { kind: 'interrupted' };

export interface IdempotencyStore {
  /** Claims the key for this request, or says what an earlier request with it became. */
  claim(scope: string, key: string, fingerprint: string): IdempotencyClaim;
  finish(scope: string, key: string, code: number, body: unknown): void;
  /** Frees the key so that a retry sends afresh (the first attempt sent nothing). */
  release(scope: string, key: string): void;
}

export const IDEMPOTENCY_MIGRATIONS: Migrations = {
  part: 'idempotency',
  steps: {
    0: `CREATE TABLE idempotency_keys (
       scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, created_at INTEGER NOT NULL,
       code INTEGER, body TEXT, PRIMARY KEY (scope, key))`,
    // Every claim forgets keys older than the window: without it, that DELETE reads the whole table.
    1: 'CREATE INDEX idempotency_keys_by_time ON idempotency_keys (created_at)',
  },
};

export function createIdempotencyStore(db: Database, now: () => number = Date.now): IdempotencyStore {
  migrate(db, IDEMPOTENCY_MIGRATIONS);
  const forgetOld = db.prepare('DELETE FROM idempotency_keys WHERE created_at <= ?');
  const find = db.prepare(
    'SELECT fingerprint, code, body FROM idempotency_keys WHERE scope = ? AND key = ? AND created_at > ?',
  );
  const insert = db.prepare('INSERT INTO idempotency_keys (scope, key, fingerprint, created_at) VALUES (?, ?, ?, ?)');
  const answer = db.prepare('UPDATE idempotency_keys SET code = ?, body = ? WHERE scope = ? AND key = ?');
  const remove = db.prepare('DELETE FROM idempotency_keys WHERE scope = ? AND key = ?');
  return {
    claim(scope, key, fingerprint) {
      forgetOld.run(now() - IDEMPOTENCY_WINDOW_MS);
      const row = find.get(scope, key, now() - IDEMPOTENCY_WINDOW_MS) as
        { fingerprint: string; code: number | null; body: string | null } | undefined;
      if (!row) {
        insert.run(scope, key, fingerprint, now());
        return { kind: 'new' };
      }
      if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
      // A claim with no answer outlived the process that made it: whether WhatsApp got the message is unknown.
      if (row.code === null) return { kind: 'interrupted' };
      return { kind: 'replay', code: row.code, body: JSON.parse(row.body!) };
    },
    finish(scope, key, code, body) {
      answer.run(code, JSON.stringify(body), scope, key);
    },
    release(scope, key) {
      remove.run(scope, key);
    },
  };
}
