import { DatabaseSync } from 'node:sqlite';
import { dirname } from 'node:path';
import { makeOwnerOnlyFolder, touchOwnerOnly } from '../data-folder.ts';

export type Database = DatabaseSync;

/**
 * Opens WaGate's SQLite file. WAL with synchronous=FULL: a committed transaction survives a crash of the process or
 * of the machine at any moment, which is what keeps the WhatsApp credentials and accepted messages whole. A commit
 * that only records what WhatsApp's server already has may ask for less (`transaction(db, work, 'process')`). The
 * file, its -wal and -shm and their folder are readable by the owner alone, whatever the umask.
 */
export function openDatabase(file: string): Database {
  makeOwnerOnlyFolder(dirname(file));
  touchOwnerOnly(file);
  const db = new DatabaseSync(file);
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;',
  );
  return db;
}

/**
 * What a commit survives. `power`: a crash of the process or of the machine (the WAL is fsynced at the commit).
 * `process`: a crash or kill of the process, not a power cut until the next `power` commit or checkpoint (the WAL is
 * written at the commit and fsynced later; WAL frames are synced in order, so a later `power` commit covers it).
 */
export type Durability = 'power' | 'process';

/**
 * Runs `work` in one transaction: all of it lands, or none of it. Inside another, it is part of that one (and has its
 * durability). `process` is for state that can be told again without harm (a status WhatsApp's server already has).
 */
/** Per connection: how many transactions committed, and how many of the first of them a FULL commit has synced. */
const commits = new WeakMap<Database, { made: number; synced: number }>();
const countOf = (db: Database) => {
  let count = commits.get(db);
  if (!count) commits.set(db, (count = { made: 0, synced: 0 }));
  return count;
};

/** The last transaction committed on `db` so far; `isSynced(db, mark)` says whether it is on disk yet. */
export const commitMark = (db: Database): number => countOf(db).made;

/** Whether the commit `mark` (and every one before it) is on disk: a FULL commit came at or after it. */
export const isSynced = (db: Database, mark: number): boolean => countOf(db).synced >= mark;

export function transaction<T>(db: Database, work: () => T, durability: Durability = 'power'): T {
  if (db.isTransaction) return work();
  // synchronous is read at COMMIT, and cannot change inside a transaction: set it around the whole of it.
  if (durability === 'process') db.exec('PRAGMA synchronous = NORMAL');
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      db.exec('COMMIT');
      const count = countOf(db);
      count.made++;
      // A FULL commit fsyncs the WAL, with every frame written before it.
      if (durability === 'power') count.synced = count.made;
      return result;
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  } finally {
    if (durability === 'process') db.exec('PRAGMA synchronous = FULL');
  }
}

/** A migration step: SQL, or a function for what SQL cannot say (rewriting stored JSON). */
export type MigrationStep = string | ((db: Database) => void);

/**
 * A part's tables and their history. Each part owns its tables; step N brings its schema from N to N + 1 and is
 * applied once, in one transaction, in order. Steps are numbered from 0, like the rows of `schema_migrations`; a
 * change to the schema is one more numbered step at the end (never an edit of one that has shipped), with a test in
 * test/store/migrations.test.ts from the schema before it to the one after.
 */
export interface Migrations {
  /** snake_case, like the tables. */
  readonly part: string;
  /** The part's earlier name, whose steps count as done. */
  readonly formerly?: string;
  readonly steps: Readonly<Record<number, MigrationStep>>;
}

function orderedSteps({ part, steps }: Migrations): MigrationStep[] {
  const numbers = Object.keys(steps);
  if (numbers.some((n, i) => n !== String(i))) throw new Error(`the migrations of ${part} must be numbered 0, 1, 2…`);
  return Object.values(steps);
}

export function migrate(db: Database, migrations: Migrations): void {
  const { part, formerly } = migrations;
  const steps = orderedSteps(migrations);
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (part TEXT NOT NULL, step INTEGER NOT NULL, PRIMARY KEY (part, step))',
  );
  if (formerly) db.prepare('UPDATE schema_migrations SET part = ? WHERE part = ?').run(part, formerly);
  const done = db.prepare('SELECT COUNT(*) AS n FROM schema_migrations WHERE part = ?').get(part) as { n: number };
  const record = db.prepare('INSERT INTO schema_migrations (part, step) VALUES (?, ?)');
  steps.slice(done.n).forEach((step, i) => {
    transaction(db, () => {
      if (typeof step === 'string') db.exec(step);
      else step(db);
      record.run(part, done.n + i);
    });
  });
}
