import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir.ts';
import { CREDENTIAL_KEY_FILE, CredentialKeyError, loadCredentialKey } from '../../server/credentials/credential-key.ts';
import type { OsKeyring } from '../../server/credentials/os-keyring.ts';
import { openDatabase } from '../../server/store/database.ts';
import { createSqliteAuthState } from '../../server/store/auth-state.ts';
import { openSavedCredentials } from '../../server/store/saved-credentials.ts';
import { loadCredentialKey as loadDesktopKey } from '../../electron/credential-key.ts';

/**
 * The key of the WhatsApp credentials, shared by the desktop app and `wagate serve`: the logic, against a keyring
 * kept in memory. test/store/os-keyring.test.ts runs the same against a real Secret Service.
 */

function memoryKeyring(): OsKeyring & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    name: 'Test Keyring',
    get: (account) => entries.get(account) ?? null,
    set: (account, secret) => void entries.set(account, secret),
    delete: (account) => void entries.delete(account),
  };
}

/** Electron's safeStorage as the desktop app had it: a secret only the OS holds. */
function safeStorage(secret = randomBytes(32)) {
  return {
    isEncryptionAvailable: () => true,
    encryptString(text: string) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', secret, iv);
      return Buffer.concat([iv, cipher.update(text, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    },
    decryptString(data: Buffer) {
      const decipher = createDecipheriv('aes-256-gcm', secret, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]).toString('utf8');
    },
  };
}

/** Linked creds sealed with `key` in the folder's database, as a desktop app that linked a phone leaves them. */
function linkWith(dataDir: string, key: Buffer): void {
  const db = openDatabase(join(dataDir, 'wagate.db'));
  const auth = createSqliteAuthState(openSavedCredentials(db, key));
  auth.state.creds.me = { id: '15559990000:7@s.whatsapp.net' };
  auth.state.creds.account = {
    details: new Uint8Array([1]),
    accountSignature: new Uint8Array([2]),
    deviceSignature: new Uint8Array([3]),
  };
  auth.saveCreds();
  db.close();
}

function opensLinked(dataDir: string, key: Buffer | null): boolean {
  const db = openDatabase(join(dataDir, 'wagate.db'));
  try {
    return createSqliteAuthState(openSavedCredentials(db, key)).hasCreds();
  } finally {
    db.close();
  }
}

test('no keyring: no key, no file; the credentials rely on the folder permissions', (t) => {
  const dataDir = tempDir(t);
  assert.deepEqual(loadCredentialKey({ dataDir, keyring: null }), {
    key: null,
    storage: { kind: 'folder_permissions', keyring: null },
  });
  assert.equal(existsSync(join(dataDir, CREDENTIAL_KEY_FILE)), false);
});

test('with a keyring: a random key kept there, credentials.key names its entry only (0600); the next start gets the same key', (t) => {
  const dataDir = tempDir(t);
  const keyring = memoryKeyring();
  const first = loadCredentialKey({ dataDir, keyring });
  assert.equal(first.key!.length, 32);
  assert.deepEqual(first.storage, { kind: 'keyring', keyring: 'Test Keyring' });
  const file = join(dataDir, CREDENTIAL_KEY_FILE);
  const stored = readFileSync(file, 'utf8');
  assert.ok(!stored.includes(first.key!.toString('base64')) && !stored.includes(first.key!.toString('hex')));
  assert.deepEqual([...keyring.entries.values()], [first.key!.toString('base64')]);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(loadCredentialKey({ dataDir, keyring }).key, first.key);
  assert.notDeepEqual(loadCredentialKey({ dataDir: tempDir(t), keyring }).key, first.key, 'a key per folder');
});

test('a folder whose key is in the keyring, opened where there is none or where it was lost: a clear error, nothing changed', (t) => {
  const dataDir = tempDir(t);
  loadCredentialKey({ dataDir, keyring: memoryKeyring() });
  const pointer = readFileSync(join(dataDir, CREDENTIAL_KEY_FILE));
  assert.throws(
    () => loadCredentialKey({ dataDir, keyring: null }),
    (e) =>
      e instanceof CredentialKeyError &&
      /system keyring \(Test Keyring\), which this session cannot reach/.test(e.message),
  );
  assert.throws(
    () => loadCredentialKey({ dataDir, keyring: memoryKeyring() }),
    (e) => e instanceof CredentialKeyError && /no longer holds the key/.test(e.message),
  );
  assert.deepEqual(readFileSync(join(dataDir, CREDENTIAL_KEY_FILE)), pointer);
});

test('a folder made by the desktop app works headless on the same machine and user: the app moves its key into the shared keyring', (t) => {
  const dataDir = tempDir(t);
  const os = safeStorage();
  const keyring = memoryKeyring();
  // An older desktop app: the key wrapped by safeStorage in credentials.key, the creds sealed with it.
  const key = randomBytes(32);
  writeFileSync(join(dataDir, CREDENTIAL_KEY_FILE), os.encryptString(key.toString('base64')), { mode: 0o600 });
  linkWith(dataDir, key);

  assert.throws(
    () => loadCredentialKey({ dataDir, keyring }),
    (e) => e instanceof CredentialKeyError && /older WaGate desktop app: open the desktop app once/.test(e.message),
    'headless cannot unwrap safeStorage',
  );
  const desktop = loadDesktopKey({ safeStorage: os, protectedByOs: true, dataDir, keyring });
  assert.deepEqual(desktop.key, key, 'the desktop app opens its folder as before');
  assert.deepEqual(desktop.storage, { kind: 'keyring', keyring: 'Test Keyring' });

  const headless = loadCredentialKey({ dataDir, keyring });
  assert.deepEqual(headless.key, key);
  assert.equal(opensLinked(dataDir, headless.key), true, '`wagate serve` opens the linked device');
  assert.deepEqual(
    loadDesktopKey({ safeStorage: os, protectedByOs: true, dataDir, keyring }).key,
    key,
    'and the desktop app still does',
  );
});

test('a folder made headless with a keyring opens in the desktop app with the same key', (t) => {
  const dataDir = tempDir(t);
  const keyring = memoryKeyring();
  const headless = loadCredentialKey({ dataDir, keyring });
  linkWith(dataDir, headless.key!);
  const desktop = loadDesktopKey({ safeStorage: safeStorage(), protectedByOs: true, dataDir, keyring });
  assert.deepEqual(desktop.key, headless.key);
  assert.equal(opensLinked(dataDir, desktop.key), true);
});
