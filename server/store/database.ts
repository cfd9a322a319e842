import { DatabaseSync } from 'node:sqlite';
import { dirname } from 'node:path';
import { makeOwnerOnlyFolder, touchOwnerOnly } from '../data-folder.ts';

export type Database = DatabaseSync;

/**
 * How a connection makes its commits durable. `each`: synchronous=FULL, every COMMIT fsyncs the WAL on the calling
 * thread (the CLI, the sandbox's own store: short-lived or not on the API's path). `grouped`: synchronous=NORMAL, a
 * COMMIT only writes the WAL and the fsync happens off the event loop, one for many commits (group-commit.ts owns
 * it, and its checkpoints); only the core's connection to wagate.db is opened so.
 */
export type CommitMode = 'each' | 'grouped';

/**
 * Opens WaGate's SQLite file in WAL mode (a crash at any moment leaves the last consistent state: WAL recovery keeps a
 * prefix of whole commits). The file, its -wal and -shm and their folder are readable by the owner alone, whatever
 * the umask.
 */
export function openDatabase(file: string, mode: CommitMode = 'each'): Database {
  makeOwnerOnlyFolder(dirname(file));
  touchOwnerOnly(file);
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  // `grouped`: SQLite's own checkpoints would fsync on the event loop; group-commit.ts runs them.
  db.exec(mode === 'each' ? 'PRAGMA synchronous = FULL' : 'PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0');
  return db;
}

/** Told after each commit made through `transaction` (group-commit.ts starts its fsync). */
const commitHooks = new WeakMap<Database, () => void>();

/** `hook` runs after every commit that `transaction` makes on `db`. */
export function afterEachCommit(db: Database, hook: () => void): void {
  commitHooks.set(db, hook);
}

/** A write that waits for the connection's next transaction (`writeWithNext`). */
interface WaitingWrite {
  work: () => unknown;
  done: (result: unknown) => void;
  failed: (error: unknown) => void;
}
const waitingWrites = new WeakMap<Database, WaitingWrite[]>();

/**
 * `work` runs at the start of the next transaction on `db` (whoever begins it), in a savepoint of its own, and
 * `done` gets its result once that transaction has committed; if `work` throws, only its own writes are undone and
 * `failed` gets the error. One commit instead of two for a write no one waits for (a receipt's status):
 * group-commit.ts's `later` begins a transaction for it if no other comes soon.
 */
export function writeWithNext<T>(db: Database, work: () => T, done: (result: T) => void, failed: (e: unknown) => void) {
  const waiting = waitingWrites.get(db);
  const write = { work, done: done as (result: unknown) => void, failed };
  if (waiting) waiting.push(write);
  else waitingWrites.set(db, [write]);
}

/** Whether writes wait for the next transaction on `db`. */
export const hasWaitingWrites = (db: Database): boolean => (waitingWrites.get(db)?.length ?? 0) > 0;

/** Runs the waiting writes inside the transaction just begun; each one's telling, for after the commit. */
function runWaitingWrites(db: Database): (() => void)[] {
  const waiting = waitingWrites.get(db);
  if (!waiting?.length) return [];
  return waiting.map(({ work, done, failed }) => {
    db.exec('SAVEPOINT waiting_write');
    try {
      const result = work();
      db.exec('RELEASE waiting_write');
      // A listener that throws is that write's failure, not the commit's caller's.
      return () => {
        try {
          done(result);
        } catch (error) {
          failed(error);
        }
      };
    } catch (error) {
      db.exec('ROLLBACK TO waiting_write; RELEASE waiting_write');
      return () => failed(error);
    }
  });
}

/**
 * Runs `work` in one transaction: all of it lands, or none of it. Inside another, it is part of that one. How durable
 * the commit is when this returns depends on the connection's mode (`openDatabase`). Writes waiting for a transaction
 * (`writeWithNext`) land first, in the same commit; rolled back, they wait for the next one.
 */
export function transaction<T>(db: Database, work: () => T): T {
  if (db.isTransaction) return work();
  db.exec('BEGIN IMMEDIATE');
  let result: T;
  let carried: (() => void)[];
  try {
    carried = runWaitingWrites(db);
    result = work();
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
  if (carried.length > 0) {
    // Told in the order they were written, before the commit's own caller tells of its changes.
    waitingWrites.get(db)!.splice(0, carried.length);
    for (const tell of carried) tell();
  }
  commitHooks.get(db)?.();
  return result;
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
