import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CREDENTIAL_KEY_FILE, CredentialKeyError } from '../../server/credentials/credential-key.ts';
import {
  forgetUnusableCredentials,
  isCredentialFailure,
  linkAgainPrompt,
  loadCredentialKey,
  type Keyring,
} from '../../electron/credential-key.ts';
import { CoreStartError } from '../../electron/core-channel.ts';
import { startFailureOf } from '../../electron/core-service.ts';
import { forgetWhatsAppLink } from '../../server/core.ts';
import { openDatabase } from '../../server/store/database.ts';
import { createSqliteAuthState } from '../../server/store/auth-state.ts';
import {
  CredentialsLockedError,
  CredentialsUnreadableError,
  openSavedCredentials,
} from '../../server/store/saved-credentials.ts';

/** What the core process does on the main process's 'forget-link'. */
const forgetIn = (dataDir: string) => async () => forgetWhatsAppLink({ dataDir, sandbox: false, waUrl: null });

/** safeStorage as the OS gives it: a secret only the keyring holds; a reset keyring holds another one. */
function keyring(secret = randomBytes(32), available = true): Keyring & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    isEncryptionAvailable: () => available,
    encryptString(text: string) {
      calls.push('encrypt');
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', secret, iv);
      return Buffer.concat([iv, cipher.update(text, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    },
    decryptString(data: Buffer) {
      calls.push('decrypt');
      const decipher = createDecipheriv('aes-256-gcm', secret, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]).toString('utf8');
    },
  };
}

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'wagate-credential-key-'));
});
after(() => rmSync(root, { recursive: true, force: true }));
const freshDir = () => mkdtempSync(join(root, 'data-'));

test('the first run makes a random 32-byte key, kept wrapped by the keyring; later runs unwrap the same key', () => {
  const dataDir = freshDir();
  const os = keyring();
  const first = loadCredentialKey({ safeStorage: os, protectedByOs: true, dataDir }).key!;
  assert.equal(first.length, 32);
  const file = join(dataDir, CREDENTIAL_KEY_FILE);
  const stored = readFileSync(file);
  for (const form of [first, Buffer.from(first.toString('base64')), Buffer.from(first.toString('hex'))])
    assert.ok(!stored.includes(form), 'the file holds no form of the key');
  if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(existsSync(`${file}.tmp`), false);
  const second = loadCredentialKey({ safeStorage: os, protectedByOs: true, dataDir }).key!;
  assert.deepEqual(second, first);
  assert.deepEqual(os.calls, ['encrypt', 'decrypt']);
  assert.notDeepEqual(
    loadCredentialKey({ safeStorage: keyring(), protectedByOs: true, dataDir: freshDir() }).key,
    first,
    'each install has its own key',
  );
});

test('no real keyring (no backend, or Linux basic_text): no key, no file, and an existing key file is left for later', () => {
  const dataDir = freshDir();
  assert.equal(loadCredentialKey({ safeStorage: keyring(), protectedByOs: false, dataDir }).key, null);
  assert.equal(
    loadCredentialKey({ safeStorage: keyring(randomBytes(32), false), protectedByOs: true, dataDir }).key,
    null,
  );
  assert.equal(existsSync(join(dataDir, CREDENTIAL_KEY_FILE)), false);
  const os = keyring();
  const key = loadCredentialKey({ safeStorage: os, protectedByOs: true, dataDir }).key;
  const wrapped = readFileSync(join(dataDir, CREDENTIAL_KEY_FILE));
  assert.equal(loadCredentialKey({ safeStorage: os, protectedByOs: false, dataDir }).key, null);
  assert.deepEqual(readFileSync(join(dataDir, CREDENTIAL_KEY_FILE)), wrapped);
  assert.deepEqual(
    loadCredentialKey({ safeStorage: os, protectedByOs: true, dataDir }).key,
    key,
    'the keyring is back: the same key',
  );
});

test("a reset keyring cannot unwrap the key: a clear error, the file kept, and no new key made behind the user's back", () => {
  const dataDir = freshDir();
  loadCredentialKey({ safeStorage: keyring(), protectedByOs: true, dataDir });
  const wrapped = readFileSync(join(dataDir, CREDENTIAL_KEY_FILE));
  assert.throws(
    () => loadCredentialKey({ safeStorage: keyring(), protectedByOs: true, dataDir }).key,
    (error) =>
      error instanceof CredentialKeyError &&
      /keyring would not unlock/.test(error.message) &&
      isCredentialFailure(error),
  );
  assert.deepEqual(readFileSync(join(dataDir, CREDENTIAL_KEY_FILE)), wrapped);
});

test('desktop app to the end: sealed creds, keyring reset, the user chooses to link again, a new key and a fresh start', async () => {
  const dataDir = freshDir();
  const databaseFile = join(dataDir, 'wagate.db');
  const before = keyring();
  const key = loadCredentialKey({ safeStorage: before, protectedByOs: true, dataDir }).key!;
  let db = openDatabase(databaseFile);
  const auth = createSqliteAuthState(openSavedCredentials(db, key));
  auth.state.creds.me = { id: '15559990000:7@s.whatsapp.net' };
  auth.state.creds.account = {
    details: new Uint8Array([1]),
    accountSignature: new Uint8Array([2]),
    deviceSignature: new Uint8Array([3]),
  };
  auth.saveCreds();
  db.close();

  const reset = keyring();
  let failure: unknown;
  try {
    loadCredentialKey({ safeStorage: reset, protectedByOs: true, dataDir });
  } catch (error) {
    failure = error;
  }
  assert.ok(isCredentialFailure(failure));
  const prompt = linkAgainPrompt(failure);
  assert.match(prompt.detail, /keyring would not unlock/);
  assert.match(prompt.detail, /API keys, webhooks and messages stay/);
  assert.equal(prompt.buttons[0], 'Forget it and link again');

  await forgetUnusableCredentials(failure, { dataDir, forgetLink: forgetIn(dataDir), fs });
  const fresh = loadCredentialKey({ safeStorage: reset, protectedByOs: true, dataDir }).key!;
  assert.notDeepEqual(fresh, key);
  db = openDatabase(databaseFile);
  try {
    const relinked = createSqliteAuthState(openSavedCredentials(db, fresh));
    assert.equal(relinked.hasCreds(), false, 'a new QR follows');
  } finally {
    db.close();
  }
});

test('creds sealed with another key (the key file was replaced): the core refuses, and linking again keeps the working key', async () => {
  const dataDir = freshDir();
  const databaseFile = join(dataDir, 'wagate.db');
  let db = openDatabase(databaseFile);
  const auth = createSqliteAuthState(openSavedCredentials(db, randomBytes(32)));
  auth.state.creds.me = { id: '15559990000:7@s.whatsapp.net' };
  auth.state.creds.account = {
    details: new Uint8Array([1]),
    accountSignature: new Uint8Array([2]),
    deviceSignature: new Uint8Array([3]),
  };
  auth.saveCreds();
  db.close();
  const os = keyring();
  const key = loadCredentialKey({ safeStorage: os, protectedByOs: true, dataDir }).key!;
  db = openDatabase(databaseFile);
  let failure: unknown;
  try {
    createSqliteAuthState(openSavedCredentials(db, key));
  } catch (error) {
    failure = error;
  } finally {
    db.close();
  }
  assert.ok(failure instanceof CredentialsUnreadableError);
  // As the main process gets it: the core's 'start-failed' message.
  const told = new CoreStartError(startFailureOf(failure), failure.message);
  assert.ok(isCredentialFailure(told));
  await forgetUnusableCredentials(told, { dataDir, forgetLink: forgetIn(dataDir), fs });
  assert.deepEqual(loadCredentialKey({ safeStorage: os, protectedByOs: true, dataDir }).key, key);
  db = openDatabase(databaseFile);
  try {
    assert.equal(createSqliteAuthState(openSavedCredentials(db, key)).hasCreds(), false);
  } finally {
    db.close();
  }
  assert.ok(isCredentialFailure(new CoreStartError(startFailureOf(new CredentialsLockedError()), 'locked')));
  assert.equal(isCredentialFailure(new CoreStartError('port_in_use', 'EADDRINUSE')), false);
  assert.equal(isCredentialFailure(new Error('EADDRINUSE')), false);
});
