import { randomBytes } from 'node:crypto';
import type * as nodeFs from 'node:fs';
import { join } from 'node:path';
import type { SafeStorage } from 'electron';
import { openDatabase } from '../server/store/database.ts';
import { CredentialsUnavailableError, forgetCredentials } from '../server/store/auth-state.ts';

export const CREDENTIAL_KEY_FILE = 'credentials.key';
const KEY_BYTES = 32;

export type Keyring = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'>;
export type KeyFiles = Pick<typeof nodeFs, 'readFileSync' | 'writeFileSync' | 'renameSync' | 'rmSync'>;

/** credentials.key is there, but the OS keyring will not unwrap it. */
export class CredentialKeyError extends Error {}

export interface CredentialKeyOptions {
  safeStorage: Keyring;
  /** describeCredentialProtection's answer: false where safeStorage would only use a key written in Electron's source. */
  protectedByOs: boolean;
  dataDir: string;
  fs: KeyFiles;
}

/**
 * The key that seals the WhatsApp credentials at rest (server/store/credential-cipher.ts), kept in
 * `<dataDir>/credentials.key` wrapped by safeStorage: made on the first run, unwrapped on every other one.
 * Null where the OS has no real keyring: the credentials stay plaintext there, as the dashboard says, and an existing
 * key file is left alone for the day the keyring is back. Call it once the app is ready.
 */
export function loadCredentialKey({ safeStorage, protectedByOs, dataDir, fs }: CredentialKeyOptions): Buffer | null {
  if (!protectedByOs || !safeStorage.isEncryptionAvailable()) return null;
  const file = join(dataDir, CREDENTIAL_KEY_FILE);
  let wrapped: Buffer;
  try {
    wrapped = fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return createKey(file, safeStorage, fs);
  }
  let key: Buffer;
  try {
    key = Buffer.from(safeStorage.decryptString(wrapped), 'base64');
  } catch {
    throw new CredentialKeyError(
      'The OS keyring would not unlock the key of your saved WhatsApp credentials: it is locked, refused WaGate, or no longer holds the key (as after a keyring reset).',
    );
  }
  if (key.length !== KEY_BYTES)
    throw new CredentialKeyError(`The key file of your saved WhatsApp credentials (${file}) is damaged.`);
  return key;
}

function createKey(file: string, safeStorage: Keyring, fs: KeyFiles): Buffer {
  const key = randomBytes(KEY_BYTES);
  const temp = `${file}.tmp`;
  // Written whole and flushed before it takes the real name: a crash leaves either no key file or a complete one.
  fs.writeFileSync(temp, safeStorage.encryptString(key.toString('base64')), { mode: 0o600, flush: true });
  fs.renameSync(temp, file);
  return key;
}

/** A start that failed on the saved credentials themselves, which the user can get out of by linking again. */
export function isCredentialFailure(error: unknown): error is Error {
  return error instanceof CredentialKeyError || error instanceof CredentialsUnavailableError;
}

/** The question the desktop app asks after such a failure; the first button links again. */
export function linkAgainPrompt(error: Error): { message: string; detail: string; buttons: string[] } {
  return {
    message: 'WaGate cannot open your saved WhatsApp link',
    detail: `${error.message}\n\nLink again: WaGate forgets the saved link and shows a new QR code; your API keys, webhooks and messages stay. Not now: nothing is changed (unlock or repair the keyring, then start WaGate again).`,
    buttons: ['Forget it and link again', 'Not now'],
  };
}

/**
 * The way out the user chose: the unusable credentials in `databaseFile` go (in one transaction), and a key file
 * the keyring no longer opens goes too, so the next start makes a new key.
 */
export function forgetUnusableCredentials(
  error: Error,
  { dataDir, databaseFile, fs }: { dataDir: string; databaseFile: string; fs: KeyFiles },
): void {
  const db = openDatabase(databaseFile);
  try {
    forgetCredentials(db);
  } finally {
    db.close();
  }
  if (error instanceof CredentialKeyError) fs.rmSync(join(dataDir, CREDENTIAL_KEY_FILE), { force: true });
}
