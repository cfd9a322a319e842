import { join } from 'node:path';
import { BufferJSON } from '@whiskeysockets/baileys';
import { openDatabase, migrate, type Database, type Migrations } from '../store/database.ts';

/** The simulator's state in SQLite under <dataDir>/sandbox/: a small key/value table and the contacts' inboxes. */
export interface SandboxStore {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  /** The keys that start with `prefix`, in order. */
  keys(prefix: string): string[];
  /** Adds an entry to a contact's inbox; answers its sequence number. */
  appendInbox(number: string, entry: unknown): number;
  updateInbox(seq: number, entry: unknown): void;
  inboxEntry<T>(seq: number): T | undefined;
  inbox<T>(number: string): { seq: number; entry: T }[];
  /** The entry of a contact's (or group's) inbox with this message id, found through an index, not by reading all. */
  inboxMessage<T>(number: string, messageId: string): { seq: number; entry: T } | undefined;
  hasInbox(number: string): boolean;
  close(): void;
}

/** Values are JSON in Baileys' BufferJSON form, which keeps Buffers (the keys) as they were. */
const encode = (value: unknown): string => JSON.stringify(value, BufferJSON.replacer);
const decode = <T>(text: string): T => JSON.parse(text, BufferJSON.reviver) as T;

/** Sandbox folders made before BufferJSON kept Buffers as {"$b": base64}; this rewrites them the BufferJSON way. */
function fromLegacyBuffers(db: Database): void {
  const legacy = (text: string): string =>
    encode(
      JSON.parse(text, (_key, v: unknown) => {
        const o = v as Record<string, unknown> | null;
        const isBuffer = o && typeof o === 'object' && typeof o.$b === 'string' && Object.keys(o).length === 1;
        return isBuffer ? Buffer.from(o.$b as string, 'base64') : v;
      }),
    );
  const kv = db.prepare('SELECT key, value FROM sandbox_kv').all() as { key: string; value: string }[];
  const setKv = db.prepare('UPDATE sandbox_kv SET value = ? WHERE key = ?');
  for (const row of kv) setKv.run(legacy(row.value), row.key);
  const inbox = db.prepare('SELECT seq, entry FROM sandbox_inbox').all() as { seq: number; entry: string }[];
  const setInbox = db.prepare('UPDATE sandbox_inbox SET entry = ? WHERE seq = ?');
  for (const row of inbox) setInbox.run(legacy(row.entry), row.seq);
}

export const SANDBOX_MIGRATIONS: Migrations = {
  part: 'sandbox',
  steps: {
    0: `CREATE TABLE sandbox_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE sandbox_inbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, number TEXT NOT NULL, entry TEXT NOT NULL);
        CREATE INDEX sandbox_inbox_number ON sandbox_inbox (number, seq);`,
    1: fromLegacyBuffers,
    // Entries are found by message id on every message, receipt and reaction: reading a whole inbox each time made a
    // long run quadratic (10,000 sends to one contact).
    2: `ALTER TABLE sandbox_inbox ADD COLUMN message_id TEXT GENERATED ALWAYS AS (json_extract(entry, '$.message_id')) VIRTUAL;
        CREATE INDEX sandbox_inbox_message ON sandbox_inbox (number, message_id);`,
  },
};

export function createSandboxStore(dataDir: string): SandboxStore {
  const db = openDatabase(join(dataDir, 'sandbox', 'sandbox.db'));
  migrate(db, SANDBOX_MIGRATIONS);
  const statements = {
    get: db.prepare('SELECT value FROM sandbox_kv WHERE key = ?'),
    set: db.prepare(
      'INSERT INTO sandbox_kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ),
    delete: db.prepare('DELETE FROM sandbox_kv WHERE key = ?'),
    keys: db.prepare(`SELECT key FROM sandbox_kv WHERE key LIKE ? ESCAPE '\\' ORDER BY key`),
    appendInbox: db.prepare('INSERT INTO sandbox_inbox (number, entry) VALUES (?, ?)'),
    updateInbox: db.prepare('UPDATE sandbox_inbox SET entry = ? WHERE seq = ?'),
    inboxEntry: db.prepare('SELECT entry FROM sandbox_inbox WHERE seq = ?'),
    inbox: db.prepare('SELECT seq, entry FROM sandbox_inbox WHERE number = ? ORDER BY seq'),
    inboxMessage: db.prepare('SELECT seq, entry FROM sandbox_inbox WHERE number = ? AND message_id = ? ORDER BY seq'),
    hasInbox: db.prepare('SELECT 1 FROM sandbox_inbox WHERE number = ? LIMIT 1'),
  };

  return {
    get<T>(key: string) {
      const row = statements.get.get(key) as { value: string } | undefined;
      return row ? decode<T>(row.value) : undefined;
    },
    set: (key, value) => void statements.set.run(key, encode(value)),
    delete: (key) => void statements.delete.run(key),
    keys(prefix) {
      const rows = statements.keys.all(`${prefix.replace(/[\\%_]/g, '\\$&')}%`) as { key: string }[];
      return rows.map((r) => r.key);
    },
    appendInbox: (number, entry) => Number(statements.appendInbox.run(number, encode(entry)).lastInsertRowid),
    updateInbox: (seq, entry) => void statements.updateInbox.run(encode(entry), seq),
    inboxEntry<T>(seq: number) {
      const row = statements.inboxEntry.get(seq) as { entry: string } | undefined;
      return row ? decode<T>(row.entry) : undefined;
    },
    inbox<T>(number: string) {
      const rows = statements.inbox.all(number) as { seq: number; entry: string }[];
      return rows.map((r) => ({ seq: r.seq, entry: decode<T>(r.entry) }));
    },
    inboxMessage<T>(number: string, messageId: string) {
      const row = statements.inboxMessage.get(number, messageId) as { seq: number; entry: string } | undefined;
      return row ? { seq: row.seq, entry: decode<T>(row.entry) } : undefined;
    },
    hasInbox: (number) => statements.hasInbox.get(number) !== undefined,
    close: () => db.close(),
  };
}
