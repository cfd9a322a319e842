import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startSandboxCore, pairThroughApi, postJson } from '../support/core.ts';
import { tempDir } from '../support/temp-dir.ts';
import { runWagate } from '../support/wagate-process.ts';
import { ALICE } from '../support/contacts.ts';
import { openDatabase } from '../../server/store/database.ts';
import { lockDownDataFolder, windowsAclArgs } from '../../server/data-folder.ts';
import { silentLogger } from '../../server/logger.ts';

/** The data folder holds the WhatsApp link: 0700 and every file in it 0600, whatever the umask. */

/** Every entry under `dir` (itself included) with its permission bits, as `stat` shows them. */
function modes(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  const visit = (path: string, name: string): void => {
    const stat = lstatSync(path);
    found[name] = (stat.mode & 0o777).toString(8);
    if (stat.isDirectory()) for (const child of readdirSync(path)) visit(join(path, child), join(name, child));
  };
  visit(dir, '.');
  return found;
}

function assertOwnerOnly(dir: string, what: string): void {
  const all = modes(dir);
  for (const [name, mode] of Object.entries(all)) {
    const isDir = statSync(join(dir, name)).isDirectory();
    assert.equal(mode, isDir ? '700' : '600', `${what}: ${name} is ${mode} (${JSON.stringify(all)})`);
  }
}

/** Runs `work` under the usual umask 022, which makes files 0644 unless WaGate says otherwise. */
async function underUmask022<T>(work: () => Promise<T> | T): Promise<T> {
  const previous = process.umask(0o022);
  try {
    return await work();
  } finally {
    process.umask(previous);
  }
}

function capturingLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), warnings: () => lines.filter((l) => l.includes('data folder')) };
}

test('a new data folder made by `wagate serve --sandbox` is 0700 and every file in it 0600, under umask 022', async (t) => {
  const dataDir = join(tempDir(t), 'new', 'WaGate');
  await underUmask022(async () => {
    const h = await startSandboxCore(t, { config: { dataDir } });
    await pairThroughApi(h);
    assert.equal((await h.call(`/chats/${ALICE}/messages`, postJson({ text: 'hi' }))).status, 200);
    const files = Object.keys(modes(dataDir));
    for (const name of ['sandbox/wagate.db', 'sandbox/wagate.db-wal', 'sandbox/server.json', 'sandbox/sandbox.db'])
      assert.ok(files.includes(name), `${name} is there: ${files.join(', ')}`);
    assertOwnerOnly(dataDir, 'while running');
    await h.core.stop();
  });
  assertOwnerOnly(dataDir, 'after a stop');
});

test('`wagate keys create` on a new folder leaves it 0700 and the database 0600, under umask 022', async (t) => {
  const dataDir = join(tempDir(t), 'p');
  await underUmask022(() => runWagate(['keys', 'create', 'x', '--data-dir', dataDir]));
  assertOwnerOnly(dataDir, 'wagate keys create');
  assert.ok(Object.keys(modes(dataDir)).includes('wagate.db'));
});

test('an existing folder open to others is tightened when it is opened, and the log says so once', async (t) => {
  const dataDir = join(tempDir(t), 'loose');
  await underUmask022(() => {
    mkdirSync(join(dataDir, 'sandbox'), { recursive: true });
    openDatabase(join(dataDir, 'sandbox', 'wagate.db')).close();
    writeFileSync(join(dataDir, 'config.json'), '{}');
    writeFileSync(join(dataDir, 'credentials.key'), 'x');
    for (const path of [dataDir, join(dataDir, 'sandbox')]) chmodSync(path, 0o755);
    for (const file of ['config.json', 'credentials.key', 'sandbox/wagate.db']) chmodSync(join(dataDir, file), 0o644);
  });
  assert.equal(modes(dataDir)['config.json'], '644', 'the folder starts loose');
  const first = capturingLogger();
  const h = await startSandboxCore(t, { config: { dataDir }, logger: first.logger });
  assertOwnerOnly(dataDir, 'after the first start');
  assert.equal(first.warnings().length, 1, 'said once');
  assert.match(first.warnings()[0]!, /readable by you alone/);
  const second = capturingLogger();
  await h.core.stop();
  lockDownDataFolder(dataDir, { logger: second.logger });
  assert.deepEqual(second.warnings(), [], 'nothing to say about a folder already locked down');
});

test('on Windows the folder gets an ACL for the user alone through icacls (unit: icacls cannot run on this machine)', (t) => {
  const dir = join(tempDir(t), 'win');
  const calls: string[][] = [];
  lockDownDataFolder(dir, {
    logger: silentLogger(),
    platform: 'win32',
    env: { USERNAME: 'ana', USERDOMAIN: 'DESKTOP-1' },
    runIcacls: (args) => calls.push(args),
  });
  assert.deepEqual(calls, [[dir, '/inheritance:r', '/grant:r', 'DESKTOP-1\\ana:(OI)(CI)F']]);
  assert.deepEqual(windowsAclArgs('C:\\d', 'ana'), ['C:\\d', '/inheritance:r', '/grant:r', 'ana:(OI)(CI)F']);
});
