import { join } from 'node:path';
import { openDatabase, migrate, type Database } from '../store/database.ts';

/** JSON that keeps Buffers/Uint8Arrays (as {"$b": base64}). */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = key === '' ? value : this[key];
    if (raw instanceof Uint8Array) return { $b: Buffer.from(raw).toString('base64') };
    return v;
  });
}

export function decodeJson<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (typeof o.$b === 'string' && Object.keys(o).length === 1) return Buffer.from(o.$b, 'base64');
    }
    return v;
  }) as T;
}

const MIGRATIONS = [
  `CREATE TABLE sandbox_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE sandbox_inbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, number TEXT NOT NULL, entry TEXT NOT NULL);
   CREATE INDEX sandbox_inbox_number ON sandbox_inbox (number, seq);`,
];

/** The simulator's state in SQLite under <dataDir>/sandbox/: a small key/value table and the contacts' inboxes. */
export class SandboxStore {
  readonly db: Database;

  constructor(dataDir: string) {
    this.db = openDatabase(join(dataDir, 'sandbox', 'sandbox.db'));
    migrate(this.db, 'sandbox', MIGRATIONS);
  }

  get<T>(key: string): T | undefined {
    const row = this.db.prepare('SELECT value FROM sandbox_kv WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? decodeJson<T>(row.value) : undefined;
  }

  set(key: string, value: unknown): void {
    this.db
      .prepare(
        'INSERT INTO sandbox_kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(key, encodeJson(value));
  }

  delete(key: string): void {
    this.db.prepare('DELETE FROM sandbox_kv WHERE key = ?').run(key);
  }

  keys(prefix: string): string[] {
    const rows = this.db.prepare('SELECT key FROM sandbox_kv WHERE key LIKE ? ORDER BY key').all(`${prefix}%`) as {
      key: string;
    }[];
    return rows.map((r) => r.key);
  }

  appendInbox(number: string, entry: unknown): number {
    const res = this.db
      .prepare('INSERT INTO sandbox_inbox (number, entry) VALUES (?, ?)')
      .run(number, encodeJson(entry));
    return Number(res.lastInsertRowid);
  }

  updateInbox(seq: number, entry: unknown): void {
    this.db.prepare('UPDATE sandbox_inbox SET entry = ? WHERE seq = ?').run(encodeJson(entry), seq);
  }

  inboxEntry<T>(seq: number): T | undefined {
    const row = this.db.prepare('SELECT entry FROM sandbox_inbox WHERE seq = ?').get(seq) as
      { entry: string } | undefined;
    return row ? decodeJson<T>(row.entry) : undefined;
  }

  inbox<T>(number: string): { seq: number; entry: T }[] {
    const rows = this.db.prepare('SELECT seq, entry FROM sandbox_inbox WHERE number = ? ORDER BY seq').all(number) as {
      seq: number;
      entry: string;
    }[];
    return rows.map((r) => ({ seq: r.seq, entry: decodeJson<T>(r.entry) }));
  }

  close(): void {
    this.db.close();
  }
}
