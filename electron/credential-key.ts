import type * as nodeFs from 'node:fs';
import { join } from 'node:path';
import type { SafeStorage } from 'electron';
import {
  CREDENTIAL_KEY_FILE,
  CredentialKeyError,
  loadCredentialKey as loadSharedKey,
  type LoadedKey,
} from '../server/credentials/credential-key.ts';
import type { OsKeyring } from '../server/credentials/os-keyring.ts';
import { CoreStartError } from './core-channel.ts';

export type Keyring = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'>;
export type KeyFiles = Pick<typeof nodeFs, 'rmSync'>;

export interface CredentialKeyOptions {
  safeStorage: Keyring;
  /** describeCredentialProtection's answer: false where safeStorage would only use a key written in Electron's source. */
  protectedByOs: boolean;
  dataDir: string;
  /** openOsKeyring()'s answer, shared with `wagate serve`: where it answers, the key lives there. */
  keyring?: OsKeyring | null;
}

/**
 * The desktop app's key of the WhatsApp credentials: the one `wagate serve` uses too (server/credentials/credential-key.ts),
 * kept in the OS keyring. safeStorage only unwraps a key file of an older desktop app (which then moves into the
 * keyring), or wraps a new key where safeStorage has a keyring that @napi-rs/keyring does not reach. With neither,
 * the credentials stay plaintext and an existing key file is left for the day the keyring is back. Call it once the
 * app is ready.
 */
export function loadCredentialKey({
  safeStorage,
  protectedByOs,
  dataDir,
  keyring = null,
}: CredentialKeyOptions): LoadedKey {
  const legacy =
    protectedByOs && safeStorage.isEncryptionAvailable()
      ? {
          unwrap: (wrapped: Buffer) => safeStorage.decryptString(wrapped),
          wrap: (key: string) => safeStorage.encryptString(key),
        }
      : undefined;
  if (!legacy && !keyring) return { key: null, storage: { kind: 'folder_permissions', keyring: null } };
  return loadSharedKey({ dataDir, keyring, legacy });
}

/**
 * A start that failed on the saved credentials themselves, which the user can get out of by linking again: the key
 * (here, in the main process) or the credentials it opens (the core said so).
 */
export function isCredentialFailure(error: unknown): error is Error {
  return error instanceof CredentialKeyError || (error instanceof CoreStartError && error.failure === 'credentials');
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
 * The way out the user chose: the core forgets the unusable credentials of the data folder (in one transaction), and
 * a key file the keyring no longer opens goes too, so the next start makes a new key.
 */
export async function forgetUnusableCredentials(
  error: Error,
  { dataDir, forgetLink, fs }: { dataDir: string; forgetLink(): Promise<void>; fs: KeyFiles },
): Promise<void> {
  await forgetLink();
  if (error instanceof CredentialKeyError) fs.rmSync(join(dataDir, CREDENTIAL_KEY_FILE), { force: true });
}
