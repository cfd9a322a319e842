import { DatabaseSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Database = DatabaseSync;

/**
 * Opens WaGate's SQLite file. WAL with synchronous=FULL: a committed transaction survives a crash of the process or
 * of the machine at any moment, which is what keeps the WhatsApp credentials and accepted messages whole. The fsync
 * per commit is the price (about half the messages per second in `npm run bench` compared with NORMAL).
 */
export function openDatabase(file: string): Database {
  mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;',
  );
  return db;
}

/** Runs `work` in one transaction: all of it lands, or none of it. */
export function transaction<T>(db: Database, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/** A migration step: SQL, or a function for what SQL cannot say (rewriting stored JSON). */
export type MigrationStep = string | ((db: Database) => void);

/** Each part owns its tables and brings its own migrations; they are applied once, in order, by name. */
export function migrate(db: Database, part: string, steps: readonly MigrationStep[]): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (part TEXT NOT NULL, step INTEGER NOT NULL, PRIMARY KEY (part, step))',
  );
  const done = db.prepare('SELECT COUNT(*) AS n FROM schema_migrations WHERE part = ?').get(part) as { n: number };
  steps.slice(done.n).forEach((step, i) => {
    transaction(db, () => {
      if (typeof step === 'string') db.exec(step);
      else step(db);
      db.prepare('INSERT INTO schema_migrations (part, step) VALUES (?, ?)').run(part, done.n + i);
    });
  });
}
