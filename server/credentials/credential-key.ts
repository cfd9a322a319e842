import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OsKeyring } from './os-keyring.ts';
import type { CredentialStorage } from '../contract/desktop.ts';
import { FILE_MODE } from '../data-folder.ts';

export const CREDENTIAL_KEY_FILE = 'credentials.key';
const KEY_BYTES = 32;

/** credentials.key is there, but the key it names cannot be had from the keyring. */
export class CredentialKeyError extends Error {}

/**
 * The older form of credentials.key, the key itself wrapped by Electron's safeStorage: only the desktop app can
 * unwrap it (and, where the OS keyring answers, moves it there, so that `wagate serve` can use the folder too).
 */
export interface LegacyWrapping {
  unwrap(wrapped: Buffer): string;
  /** Where there is no OS keyring but safeStorage has one (an old KWallet, say), a new key is wrapped this way. */
  wrap?(key: string): Buffer;
}

/** Who keeps the key of the WhatsApp credentials, said the same way in the banner, /health and the dashboard. */

export interface LoadedKey {
  /** Null: no keyring here, the credentials stay plaintext, protected by the data folder's permissions alone. */
  key: Buffer | null;
  storage: CredentialStorage;
}

/** What credentials.key holds in its current form: which keyring entry has the key (never the key itself). */
interface KeyringPointer {
  keyring: string;
  account: string;
}

function readPointer(data: Buffer): KeyringPointer | null {
  if (data[0] !== 0x7b) return null; // '{': safeStorage output never starts so
  try {
    const parsed = JSON.parse(data.toString('utf8')) as Partial<KeyringPointer>;
    return typeof parsed.account === 'string' ? { keyring: String(parsed.keyring), account: parsed.account } : null;
  } catch {
    return null;
  }
}

/** Written whole and flushed before it takes the real name: a crash leaves the old file or the new one, never half. */
function writeKeyFile(file: string, content: string | Buffer): void {
  const temp = `${file}.tmp`;
  writeFileSync(temp, content, { mode: FILE_MODE, flush: true });
  renameSync(temp, file);
}

function decodeKey(encoded: string, file: string): Buffer {
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== KEY_BYTES)
    throw new CredentialKeyError(`The key of your saved WhatsApp credentials (${file}) is damaged.`);
  return key;
}

function putInKeyring(file: string, keyring: OsKeyring, key: Buffer): void {
  const account = `credentials-key-${randomUUID()}`;
  keyring.set(account, key.toString('base64'));
  writeKeyFile(file, `${JSON.stringify({ keyring: keyring.name, account } satisfies KeyringPointer)}\n`);
}

export interface LoadCredentialKeyOptions {
  dataDir: string;
  /** openOsKeyring()'s answer: null where this session has no keyring. */
  keyring: OsKeyring | null;
  /** The desktop app's safeStorage, for the key files it wrote before the keyring was shared. */
  legacy?: LegacyWrapping;
}

/**
 * The key that seals the WhatsApp credentials at rest (credential-cipher.ts), the same for the desktop app and
 * `wagate serve`: the key lives in the OS keyring, and `<dataDir>/credentials.key` names its entry. Made on the
 * first run where there is a keyring; where there is none the credentials stay plaintext (the folder is 0700), and
 * an existing key file is left for the day the keyring is back. A key file from an older desktop app is moved into
 * the keyring by the desktop app, the only one that can unwrap it.
 */
export function loadCredentialKey({ dataDir, keyring, legacy }: LoadCredentialKeyOptions): LoadedKey {
  const file = join(dataDir, CREDENTIAL_KEY_FILE);
  const folder: LoadedKey = { key: null, storage: { kind: 'folder_permissions', keyring: null } };
  const kept = (key: Buffer, name: string): LoadedKey => ({ key, storage: { kind: 'keyring', keyring: name } });
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const key = randomBytes(KEY_BYTES);
    if (keyring) {
      putInKeyring(file, keyring, key);
      return kept(key, keyring.name);
    }
    if (!legacy?.wrap) return folder;
    writeKeyFile(file, legacy.wrap(key.toString('base64')));
    return kept(key, 'safeStorage');
  }

  const pointer = readPointer(data);
  if (pointer) {
    if (!keyring)
      throw new CredentialKeyError(
        `The key of your saved WhatsApp credentials is in the system keyring (${pointer.keyring}), which this session cannot reach: on Linux, run WaGate in a desktop session or start a Secret Service such as gnome-keyring.`,
      );
    let encoded: string | null;
    try {
      encoded = keyring.get(pointer.account);
    } catch (error) {
      throw new CredentialKeyError(
        `The system keyring would not give the key of your saved WhatsApp credentials (${(error as Error).message}): it may be locked.`,
      );
    }
    if (encoded === null)
      throw new CredentialKeyError(
        'The system keyring no longer holds the key of your saved WhatsApp credentials (as after a keyring reset).',
      );
    return kept(decodeKey(encoded, file), keyring.name);
  }

  if (!legacy)
    throw new CredentialKeyError(
      'These WhatsApp credentials were encrypted by an older WaGate desktop app: open the desktop app once (it moves the key into the system keyring, where `wagate serve` finds it too), or log out there.',
    );
  let encoded: string;
  try {
    encoded = legacy.unwrap(data);
  } catch {
    throw new CredentialKeyError(
      'The OS keyring would not unlock the key of your saved WhatsApp credentials: it is locked, refused WaGate, or no longer holds the key (as after a keyring reset).',
    );
  }
  const key = decodeKey(encoded, file);
  if (!keyring) return kept(key, 'safeStorage');
  putInKeyring(file, keyring, key);
  return kept(key, keyring.name);
}
