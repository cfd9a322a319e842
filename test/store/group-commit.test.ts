import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { openDatabase, transaction } from '../../server/store/database.ts';
import { createGroupCommit } from '../../server/store/group-commit.ts';
import { createSqliteAuthState } from '../../server/store/auth-state.ts';
import { openSavedCredentials } from '../../server/store/saved-credentials.ts';
import { tempDatabase } from '../support/temp-database.ts';
import { heldDisk } from '../support/held-disk.ts';
import { eventually } from '../support/waits.ts';

/**
 * The core's commits (group-commit.ts): each COMMIT only writes the WAL; `durable()` resolves once an fsync of the WAL
 * that started after the commit resolved, and one fsync serves every commit made before it started. Real SQLite
 * files, real fsyncs; the disk is held (test/support/held-disk.ts) to see what waits for it.
 */
function setUp(t: TestContext) {
  const temp = tempDatabase(t);
  const db = openDatabase(temp.file, 'grouped');
  const disk = heldDisk();
  const errors: unknown[] = [];
  const commits = createGroupCommit({ db, file: temp.file, sync: disk.sync, onError: (e) => errors.push(e) });
  db.exec('CREATE TABLE t (x)');
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  const write = (x: number) => transaction(db, () => void insert.run(x));
  t.after(async () => {
    disk.release();
    await commits.close();
    db.close();
  });
  return { ...temp, db, disk, commits, write, insert, errors, wal: `${temp.file}-wal` };
}

/** Whether `promise` settled once everything already queued has run (a held fsync cannot settle it meanwhile). */
async function settled(promise: Promise<unknown> | unknown): Promise<boolean> {
  let done = false;
  void Promise.resolve(promise).then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

test('the grouped connection commits with synchronous=NORMAL and leaves checkpoints to the group commit', (t) => {
  const { db } = setUp(t);
  assert.equal(db.prepare('PRAGMA synchronous').get()!.synchronous, 1);
  assert.equal(db.prepare('PRAGMA wal_autocheckpoint').get()!.wal_autocheckpoint, 0);
  assert.equal(db.prepare('PRAGMA journal_mode').get()!.journal_mode, 'wal');
});

test('a commit is durable only once an fsync of the WAL that started after it has resolved', async (t) => {
  const { disk, commits, write, wal } = setUp(t);
  await commits.durable();
  disk.hold();
  write(1);
  const durable = commits.durable();
  await eventually(() => disk.waiting === 1, 'the fsync the commit started');
  assert.equal(disk.calls.at(-1), wal);
  assert.equal(await settled(durable), false, 'not durable while its fsync is held');
  disk.release();
  await durable;
});

test('one fsync covers every commit made before it started; commits made while it runs share the next one', async (t) => {
  const { disk, commits, write } = setUp(t);
  await commits.durable();
  const before = disk.calls.length;
  disk.hold();
  write(1);
  const first = commits.durable();
  await eventually(() => disk.waiting === 1, 'the first fsync');
  write(2);
  const second = commits.durable();
  write(3);
  const third = commits.durable();
  assert.equal(disk.calls.length - before, 1, 'the later commits wait: no fsync of their own yet');
  disk.release();
  await first;
  await Promise.all([second, third]);
  assert.equal(disk.calls.length - before, 2, 'one more fsync for both later commits');
  assert.equal(await settled(commits.durable()), true, 'nothing committed since: nothing to wait for');
});

test('a commit nobody waits for starts its fsync within the group window; one someone waits for starts it at once', async (t) => {
  const { disk, commits, write } = setUp(t);
  await commits.durable();
  const before = disk.calls.length;
  write(1);
  assert.equal(disk.calls.length, before, 'the commit alone starts no fsync yet');
  await eventually(() => disk.calls.length === before + 1, 'the fsync of the window');
  await commits.durable();
  assert.equal(disk.calls.length, before + 1, 'waited for after it started: the same fsync');
  write(2);
  const waited = commits.durable();
  assert.equal(disk.calls.length, before + 2, 'waited for: its fsync starts now');
  await waited;
  await eventually(() => settled(commits.close()), 'the window closed with nothing more to fsync');
  assert.equal(disk.calls.length, before + 2, 'the window found the commit already on disk');
});

test('a commit made once closing has begun starts no fsync after the close', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { disk, commits, write } = setUp(t);
  await commits.durable();
  const closed = commits.close();
  write(1);
  await closed;
  const after = disk.calls.length;
  // The window's timer would fsync through a connection the core closes next ("statement has been finalized").
  t.mock.timers.runAll();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(disk.calls.length, after);
});

test('what an answer promises leaves out the last commits made unpromised, and only while nothing came after them', (t) => {
  const { commits, write } = setUp(t);
  write(1);
  const promisedOnly = commits.mark();
  commits.unpromised(() => write(2));
  assert.equal(commits.promised(), promisedOnly);
  commits.unpromised(() => write(3));
  assert.equal(commits.promised(), promisedOnly, 'a run of unpromised commits is left out whole');
  assert.ok(commits.mark() > promisedOnly);
  write(4);
  assert.equal(commits.promised(), commits.mark(), 'a commit after them: everything counts');
});

test('a write made `later` waits for the next transaction and lands in its commit, told only once it is committed', (t) => {
  const { db, commits, write, open } = setUp(t);
  const other = open();
  const count = () => other.prepare('SELECT COUNT(*) AS n FROM t').get()!.n;
  const told: number[] = [];
  commits.later(
    () => Number(db.prepare('INSERT INTO t VALUES (?)').run(10).changes),
    (changes) => told.push(changes, count() as number),
  );
  assert.equal(count(), 0, 'nothing committed yet');
  assert.deepEqual(told, [], 'nobody told of it yet');
  write(1);
  assert.equal(count(), 2, 'the next transaction carried it: both committed');
  assert.deepEqual(told, [1, 2], 'told once, with its result, after the commit');
  write(2);
  assert.deepEqual(told, [1, 2], 'carried once');
});

test('a write made `later` with no transaction after it commits on its own within the window, and its fsync starts then', async (t) => {
  const { db, disk, commits, open } = setUp(t);
  await commits.durable();
  const before = disk.calls.length;
  const other = open();
  let told = false;
  commits.later(
    () => db.prepare('INSERT INTO t VALUES (?)').run(10),
    () => (told = true),
  );
  await eventually(() => told, 'its own commit, within the window');
  assert.equal(other.prepare('SELECT COUNT(*) AS n FROM t').get()!.n, 1);
  assert.equal(disk.calls.length, before + 1, 'the window has passed: its fsync starts at once');
});

test('a write made `later` that fails undoes only its own writes: the transaction that carried it commits', (t) => {
  const { db, commits, write, errors } = setUp(t);
  commits.later(
    () => {
      db.prepare('INSERT INTO t VALUES (?)').run(10);
      throw new Error('no such message');
    },
    () => assert.fail('a failed write is not told as done'),
  );
  write(1);
  assert.deepEqual(
    db
      .prepare('SELECT x FROM t')
      .all()
      .map((r) => r.x),
    [1],
  );
  assert.match(String(errors[0]), /no such message/, 'the failure is told');
});

test('closing commits the writes still waiting, and a write made once closing commits at once', async (t) => {
  const { db, commits, open } = setUp(t);
  const other = open();
  const count = () => other.prepare('SELECT COUNT(*) AS n FROM t').get()!.n;
  commits.later(
    () => db.prepare('INSERT INTO t VALUES (?)').run(10),
    () => undefined,
  );
  const closed = commits.close();
  assert.equal(count(), 1);
  commits.later(
    () => db.prepare('INSERT INTO t VALUES (?)').run(11),
    () => undefined,
  );
  assert.equal(count(), 2);
  await closed;
});

test('a failed fsync fails those waiting for it, is told, and the next commit tries again', async (t) => {
  const { disk, commits, write, errors } = setUp(t);
  await commits.durable();
  disk.hold();
  write(1);
  const durable = commits.durable();
  await eventually(() => disk.waiting === 1, 'the held fsync');
  disk.fail(new Error('EIO'));
  await assert.rejects(durable, /EIO/);
  await eventually(() => errors.length > 0, 'the failure told');
  write(2);
  await commits.durable();
});

test("Baileys' key write resolves only once its commit is on disk", async (t) => {
  const { db, disk, commits, open } = setUp(t);
  const auth = createSqliteAuthState(openSavedCredentials(db), () => commits.durable());
  await commits.durable();
  disk.hold();
  const written = auth.state.keys.set({ session: { 'alice.0': Buffer.from('ratchet') as never } });
  await eventually(() => disk.waiting === 1, "the key write's fsync");
  const other = open();
  assert.equal(
    other.prepare("SELECT COUNT(*) AS n FROM wa_keys WHERE type = 'session'").get()!.n,
    1,
    'committed: another connection reads it',
  );
  assert.equal(await settled(written), false, 'Baileys waits while the fsync is held');
  disk.release();
  await written;
});

test('a checkpoint copies only what the WAL has on disk, fsyncs the database file after, and keeps the WAL from restarting until then', async (t) => {
  const { db, disk, commits, write, insert, wal, file } = setUp(t);
  await commits.durable();
  const emptySize = statSync(file).size;
  disk.hold();
  // Enough changed rows for a checkpoint to be due once their fsync is done.
  transaction(db, () => {
    for (let i = 0; i < 2_000; i++) insert.run(i);
  });
  await eventually(() => disk.waiting === 1, "the rows' fsync");
  assert.equal(statSync(file).size, emptySize, 'nothing copied before the WAL is on disk');
  disk.release();
  disk.hold();
  await eventually(() => disk.waiting === 1 && disk.calls.at(-1) === file, "the database file's fsync");
  assert.deepEqual(disk.calls.slice(-2), [wal, file], 'the WAL first, then the database file');
  assert.ok(statSync(file).size > emptySize, 'copied into the database file');
  const walSize = statSync(wal).size;
  write(1);
  assert.ok(statSync(wal).size > walSize, 'a commit meanwhile is appended: the WAL did not restart over copied frames');
  disk.release();
  await commits.durable();
  await commits.close();
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n, 2_001);
});
