import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../server/store/database.ts';
import { createApiKeyStore } from '../../server/store/api-keys.ts';
import { tempDir } from '../support/temp-dir.ts';
import { tryWagate } from '../support/wagate-process.ts';
import { startSandboxCore } from '../support/core.ts';

/** `wagate keys …` as a user types it, on a data folder of its own (the sandbox's data, as `--sandbox` says). */
function cli(dataDir: string) {
  return (...args: string[]) => tryWagate(['keys', ...args, '--sandbox', '--data-dir', dataDir]);
}

/** The key as the server will judge it, from the same database file. */
function verdict(dataDir: string, key: string) {
  const db = openDatabase(join(dataDir, 'sandbox', 'wagate.db'));
  try {
    return createApiKeyStore(db).verify(key);
  } finally {
    db.close();
  }
}

const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

test('keys list: none yet, then each key with its id, prefix, status, dates and name, never the key', (t) => {
  const keys = cli(tempDir(t));
  const empty = keys('list');
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stdout, /^No API keys yet: wagate keys create NAME$/m);

  const made = keys('create', 'crm');
  assert.equal(made.code, 0, made.stderr);
  const key = made.stdout.trim();
  const id = /Created key (\S+) "crm"/.exec(made.stderr)?.[1];
  assert.ok(id, made.stderr);
  keys('create', 'shop');
  const listed = keys('list');
  assert.equal(listed.code, 0, listed.stderr);
  const lines = listed.stdout.trim().split('\n');
  assert.equal(lines.length, 2);
  const crm = lines.find((line) => line.endsWith('crm'))!;
  assert.deepEqual(crm.split(/\s{2,}/).slice(0, 3), [id, key.split('_').slice(0, 2).join('_'), 'active']);
  assert.match(crm, /created \d{4}-\d\d-\d\d \d\d:\d\d {2}last used - {2}expires - {2}crm$/);
  assert.equal(listed.stdout.includes(key), false, 'the list never shows a key');
});

test('keys create --expires-in: days, hours or minutes from now, listed as its expiry; anything else is refused', (t) => {
  const dataDir = tempDir(t);
  const keys = cli(dataDir);
  for (const [flag, ms] of [
    ['30d', 30 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['45m', 45 * 60_000],
  ] as const) {
    const before = Date.now();
    const made = keys('create', `in-${flag}`, '--expires-in', flag);
    assert.equal(made.code, 0, made.stderr);
    const line = keys('list')
      .stdout.split('\n')
      .find((l) => l.endsWith(`in-${flag}`))!;
    const expires = /expires (\d{4}-\d\d-\d\d \d\d:\d\d)/.exec(line)?.[1];
    // Listed to the minute: the expiry is `flag` after the key was made.
    assert.ok([minute(before + ms), minute(Date.now() + ms)].includes(expires!), `${flag}: ${line}`);
    assert.equal(verdict(dataDir, made.stdout.trim()).ok, true, 'works until then');
  }
  for (const bad of ['30', '1.5d', 'soon', '0d', '0m']) {
    const refused = keys('create', 'bad', '--expires-in', bad);
    assert.equal(refused.code, 2, bad);
    assert.match(
      refused.stderr,
      /--expires-in takes a number of days, hours or minutes above zero: 30d, 12h, 45m/,
      bad,
    );
  }
  assert.equal(keys('list').stdout.includes('bad'), false, 'a refused create makes no key');
});

test('keys revoke: the key is refused from then on and listed as revoked; an unknown id says so', (t) => {
  const dataDir = tempDir(t);
  const keys = cli(dataDir);
  const made = keys('create', 'old-app');
  const key = made.stdout.trim();
  const id = /Created key (\S+)/.exec(made.stderr)![1]!;
  assert.equal(verdict(dataDir, key).ok, true);

  const revoked = keys('revoke', id);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal(revoked.stdout.trim(), `Revoked ${id} "old-app"`);
  assert.deepEqual(verdict(dataDir, key), { ok: false, reason: 'revoked' });
  assert.match(keys('list').stdout, new RegExp(`^${id} {2}\\S+ {2}revoked {2}.*old-app$`, 'm'));

  const unknown = keys('revoke', 'nope');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no key with id nope \(see wagate keys list\)/);
  const missing = keys('revoke');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /usage: wagate keys revoke ID/);
});

test('keys revoke in a shell shuts a running server to that key from its next request', async (t) => {
  const h = await startSandboxCore(t);
  assert.equal((await h.call('/session')).status, 200);
  const id = /^wg_([0-9a-f]{8})_/.exec(h.key)![1]!;
  const revoked = cli(h.dataDir)('revoke', id);
  assert.equal(revoked.code, 0, revoked.stderr);
  const res = await h.call('/session');
  assert.equal(res.status, 401);
  assert.equal(res.body.error, 'API key revoked');
});
