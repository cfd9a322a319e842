import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startSandboxCore } from '../support/core.ts';
import { tempDatabase } from '../support/temp-database.ts';

/**
 * WAL on every database WaGate opens; synchronous=FULL on every connection but the core's own to wagate.db, which is
 * opened `grouped` (NORMAL, its fsyncs and checkpoints made by server/store/group-commit.ts, tested in
 * group-commit.test.ts). journal_mode is kept in the file; synchronous is per connection, so every connection must
 * come from openDatabase.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const FULL = 2;

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });

test('openDatabase gives WAL and, by default, synchronous=FULL on every connection, the first and any later one', (t) => {
  const { db, open } = tempDatabase(t);
  for (const connection of [db, open()]) {
    assert.equal(connection.prepare('PRAGMA journal_mode').get()!.journal_mode, 'wal');
    assert.equal(connection.prepare('PRAGMA synchronous').get()!.synchronous, FULL);
  }
});

test('no part of WaGate opens a SQLite file any other way than openDatabase', () => {
  const opened = files(join(ROOT, 'server'))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('server/store/database.ts'))
    .filter((file) => /new DatabaseSync\(/.test(readFileSync(file, 'utf8')))
    .map((file) => relative(ROOT, file));
  assert.deepEqual(opened, [], 'these open SQLite themselves');
});

test('every database file a running WaGate (with its sandbox) keeps is in WAL mode', async (t) => {
  const h = await startSandboxCore(t);
  const databases = files(h.dataDir).filter((file) => file.endsWith('.db'));
  assert.deepEqual(
    databases.map((file) => relative(h.dataDir, file)).sort(),
    ['sandbox/sandbox.db', 'sandbox/wagate.db'],
    'the data folder of a sandbox run',
  );
  for (const file of databases) {
    const look = new DatabaseSync(file, { readOnly: true });
    try {
      assert.equal(look.prepare('PRAGMA journal_mode').get()!.journal_mode, 'wal', file);
    } finally {
      look.close();
    }
  }
});
