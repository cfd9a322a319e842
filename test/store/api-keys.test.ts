import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createApiKeyStore } from '../../server/store/api-keys.ts';
import { tempDatabase as tempDb } from '../support/temp-database.ts';

test('a created key verifies, shows a recognisable prefix, and is stored only as a hash', (t) => {
  const { db, file } = tempDb(t);
  const store = createApiKeyStore(db);
  const { key, record } = store.create({ name: 'crm', expiresAt: null });
  assert.match(key, /^wg_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
  assert.equal(record.prefix, key.split('_').slice(0, 2).join('_'), 'the prefix is how the list names the key');
  assert.equal(record.status, 'active');
  const check = store.verify(key);
  assert.ok(check.ok);
  db.exec('PRAGMA wal_checkpoint(FULL)');
  assert.ok(
    !readFileSync(file).includes(Buffer.from(key.split('_').slice(2).join('_'))),
    'the secret part must not be in the database file',
  );
});

test('unknown, tampered, revoked and expired keys are refused with their reason', (t) => {
  const { db } = tempDb(t);
  let now = 1_000_000;
  const store = createApiKeyStore(db, { now: () => now });
  const { key, record } = store.create({ name: 'a', expiresAt: null });
  const expiring = store.create({ name: 'b', expiresAt: now + 1000 });
  assert.deepEqual(store.verify('nonsense'), { ok: false, reason: 'unknown' });
  assert.deepEqual(store.verify(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A')), { ok: false, reason: 'unknown' });
  for (const wrapped of [`x${key}`, `${key}x`, ` ${key}`]) {
    assert.deepEqual(store.verify(wrapped), { ok: false, reason: 'unknown' }, 'the key and nothing around it');
  }
  assert.deepEqual(store.verify(expiring.key).ok, true, 'before its expiry');
  assert.equal(store.isActive(expiring.record.id), true);
  assert.equal(expiring.record.expires_at, 1001, 'Unix seconds');
  now = expiring.record.expires_at! * 1000 - 1;
  assert.equal(store.verify(expiring.key).ok, true, 'a millisecond before its expiry');
  now += 1;
  assert.deepEqual(store.verify(expiring.key), { ok: false, reason: 'expired' }, 'at its expiry');
  assert.equal(store.isActive(expiring.record.id), false);
  now += 2000;
  assert.deepEqual(store.verify(expiring.key), { ok: false, reason: 'expired' });
  assert.equal(store.revoke(record.id)?.status, 'revoked');
  assert.deepEqual(store.verify(key), { ok: false, reason: 'revoked' });
  assert.equal(store.isActive(record.id), false, 'a revoked key is no longer active (open streams end)');
  assert.equal(store.isActive('ffffffff'), false);
  assert.equal(store.revoke('ffffffff'), null);
});

test('last_used_at is kept, at a minute precision', (t) => {
  const { db } = tempDb(t);
  let now = 5_000_000;
  const used: number[] = [];
  const store = createApiKeyStore(db, { now: () => now, onUse: (r) => used.push(r.last_used_at!) });
  const { key, record } = store.create({ name: 'a', expiresAt: null });
  assert.equal(record.last_used_at, null);
  store.verify(key);
  assert.equal(store.list()[0]!.last_used_at, 5_000, 'Unix seconds');
  now += 10_000;
  store.verify(key);
  assert.equal(store.list()[0]!.last_used_at, 5_000);
  now = 5_060_000; // a minute exactly after the recorded use
  store.verify(key);
  assert.equal(store.list()[0]!.last_used_at, 5_060);
  assert.deepEqual(used, [5_000, 5_060], 'each recorded use is announced, the skipped one is not');
});

test('a key revoked by another process (wagate keys revoke) is refused from the next request on', (t) => {
  const file = tempDb(t);
  const server = createApiKeyStore(file.db);
  const { key, record } = server.create({ name: 'crm', expiresAt: null });
  assert.ok(server.verify(key).ok);
  assert.ok(server.verify(key).ok);
  createApiKeyStore(file.open()).revoke(record.id);
  assert.deepEqual(server.verify(key), { ok: false, reason: 'revoked' });
  assert.equal(server.isActive(record.id), false);
});

test('a key revoked in this process is refused at once, and one verified before still expires on time', (t) => {
  const { db } = tempDb(t);
  let now = 1_000_000;
  const store = createApiKeyStore(db, { now: () => now });
  const revoked = store.create({ name: 'a', expiresAt: null });
  const expiring = store.create({ name: 'b', expiresAt: now + 1000 });
  assert.ok(store.verify(revoked.key).ok);
  assert.ok(store.verify(expiring.key).ok);
  store.revoke(revoked.record.id);
  assert.deepEqual(store.verify(revoked.key), { ok: false, reason: 'revoked' });
  now += 1000;
  assert.deepEqual(store.verify(expiring.key), { ok: false, reason: 'expired' });
});

test('a key one character away from a key verified before is still refused', (t) => {
  const { db } = tempDb(t);
  const store = createApiKeyStore(db);
  const { key } = store.create({ name: 'a', expiresAt: null });
  assert.ok(store.verify(key).ok);
  const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
  assert.deepEqual(store.verify(tampered), { ok: false, reason: 'unknown' });
  assert.ok(store.verify(key).ok, 'the real key still opens');
});
