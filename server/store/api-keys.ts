import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { migrate, type Migrations, type Database } from './database.ts';
import type { ApiKeyRecord, ApiKeyStatus } from '../contract/keys.ts';
import { unixSeconds } from '../contract/time.ts';

export type KeyCheck = { ok: true; record: ApiKeyRecord } | { ok: false; reason: 'unknown' | 'expired' | 'revoked' };

export interface ApiKeyStore {
  /** The plaintext key is returned here once and never stored. */
  create(input: { name: string; expiresAt: number | null }): { key: string; record: ApiKeyRecord };
  list(): ApiKeyRecord[];
  revoke(id: string): ApiKeyRecord | null;
  verify(key: string): KeyCheck;
  /** Whether the key with this id still opens the API (not revoked, not expired): for streams kept open. */
  isActive(id: string): boolean;
}

export const API_KEYS_MIGRATIONS: Migrations = {
  part: 'api_keys',
  steps: {
    0: `CREATE TABLE api_keys (
       id TEXT PRIMARY KEY, name TEXT NOT NULL, hash BLOB NOT NULL, created_at INTEGER NOT NULL,
       last_used_at INTEGER, expires_at INTEGER, revoked_at INTEGER)`,
  },
};

/** Writing last_used_at on every request would cost an fsync each; a minute's precision is enough to read. */
const LAST_USED_PRECISION_MS = 60_000;
const KEY_PATTERN = /^wg_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

interface Row {
  id: string;
  name: string;
  hash: Uint8Array;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
  revoked_at: number | null;
}

const hashKey = (key: string): Buffer => createHash('sha256').update(key).digest();

const statusOf = (row: Row, now: number): ApiKeyStatus =>
  row.revoked_at !== null ? 'revoked' : row.expires_at !== null && row.expires_at <= now ? 'expired' : 'active';

const seconds = (ms: number | null): number | null => (ms === null ? null : unixSeconds(ms));

/**
 * Field by field, not a rest spread: this runs on every authenticated request. Same key order as the row's. The row
 * keeps Unix ms (expiry is checked against it); the record says its times in seconds, as the whole API does.
 */
function toRecord(row: Row, now: number): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    created_at: unixSeconds(row.created_at),
    last_used_at: seconds(row.last_used_at),
    expires_at: seconds(row.expires_at),
    revoked_at: seconds(row.revoked_at),
    prefix: `wg_${row.id}`,
    status: statusOf(row, now),
  };
}

export interface ApiKeyStoreOptions {
  now?: () => number;
  /** Called when a key's last_used_at moves, so the dashboard's list can follow without polling. */
  onUse?: (record: ApiKeyRecord) => void;
}

export function createApiKeyStore(db: Database, options: ApiKeyStoreOptions = {}): ApiKeyStore {
  const { now = Date.now, onUse } = options;
  migrate(db, API_KEYS_MIGRATIONS);
  const byId = db.prepare('SELECT * FROM api_keys WHERE id = ?');
  const touch = db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?');
  const insert = db.prepare('INSERT INTO api_keys (id, name, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)');
  const newestFirst = db.prepare('SELECT * FROM api_keys ORDER BY created_at DESC');
  const revoke = db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  const dataVersion = db.prepare('PRAGMA data_version');
  dataVersion.setReturnArrays(true);

  /**
   * Rows read before, so that a request does not read its key's row again. `PRAGMA data_version` moves whenever
   * another connection commits (`wagate keys revoke` in a shell): then every row is read afresh, so a revocation
   * counts from the next request. This store's own writes update the rows it keeps.
   */
  const rows = new Map<string, Row>();
  /**
   * Keys whose hash matched their row, by the key itself, so that a known key skips the SHA-256 and the comparison.
   * Only keys that matched get in (at most one per row); it is cleared with `rows`, and status is read from the row
   * on every request, so a revocation or an expiry still counts from the next request.
   */
  const verified = new Map<string, string>();
  let seenVersion: unknown;
  function find(id: string): Row | undefined {
    const [version] = dataVersion.get() as unknown as [number];
    if (version !== seenVersion) {
      rows.clear();
      verified.clear();
      seenVersion = version;
    }
    let row = rows.get(id);
    if (!row) {
      row = byId.get(id) as Row | undefined;
      if (row) rows.set(id, row);
    }
    return row;
  }
  /** The row of a key that matches its hash, or undefined. */
  function rowOfKey(key: string): Row | undefined {
    const known = verified.get(key);
    if (known !== undefined) {
      // find() checks data_version first: if another connection wrote, `verified` is empty and the key is hashed again.
      const row = find(known);
      if (verified.has(key)) return row;
    }
    const match = KEY_PATTERN.exec(key);
    const row = match ? find(match[1]!) : undefined;
    if (!row || !timingSafeEqual(Buffer.from(row.hash), hashKey(key))) return undefined;
    verified.set(key, row.id);
    return row;
  }
  const forget = (id: string): boolean => rows.delete(id);

  return {
    create({ name, expiresAt }) {
      const id = randomBytes(4).toString('hex');
      const key = `wg_${id}_${randomBytes(32).toString('base64url')}`;
      insert.run(id, name, hashKey(key), now(), expiresAt);
      return { key, record: toRecord(find(id)!, now()) };
    },
    list() {
      const rows = newestFirst.all() as unknown as Row[];
      return rows.map((row) => toRecord(row, now()));
    },
    revoke(id) {
      revoke.run(now(), id);
      forget(id);
      const row = find(id);
      return row ? toRecord(row, now()) : null;
    },
    isActive(id) {
      const row = find(id);
      return row !== undefined && statusOf(row, now()) === 'active';
    },
    verify(key) {
      const row = rowOfKey(key);
      if (!row) return { ok: false, reason: 'unknown' };
      const at = now();
      const status = statusOf(row, at);
      if (status !== 'active') return { ok: false, reason: status };
      if (row.last_used_at === null || at - row.last_used_at >= LAST_USED_PRECISION_MS) {
        touch.run(at, row.id);
        row.last_used_at = at;
        onUse?.(toRecord(row, at));
      }
      return { ok: true, record: toRecord(row, at) };
    },
  };
}
