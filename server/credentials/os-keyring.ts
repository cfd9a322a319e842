import { createRequire } from 'node:module';
import type { Entry } from '@napi-rs/keyring';

/** The operating system's keyring, as WaGate uses it: one secret per account name, under the service "WaGate". */
export interface OsKeyring {
  /** What keeps the secrets, in words for the banner, /health and the dashboard. */
  name: string;
  get(account: string): string | null;
  set(account: string, secret: string): void;
  delete(account: string): void;
}

export const KEYRING_SERVICE = 'WaGate';

const NAMES: Partial<Record<NodeJS.Platform, string>> = {
  darwin: 'macOS Keychain',
  win32: 'Windows Credential Manager',
  linux: 'Secret Service',
  freebsd: 'Secret Service',
};

/**
 * Only the Secret Service on Linux: @napi-rs/keyring would otherwise fall back to the kernel's keyutils, which
 * forgets everything at reboot, and with it the key of the credentials.
 */
type KeyringModule = { Entry: typeof Entry };

const entry = (account: string): Entry => {
  // Loaded at first use: a start with WAGATE_KEYRING=off never loads the native module.
  const { Entry: KeyringEntry } = createRequire(import.meta.url)('@napi-rs/keyring') as KeyringModule;
  return new KeyringEntry(KEYRING_SERVICE, account, { linux: { store: 'secret-service' } });
};

/**
 * The OS keyring when this session has one that answers (Keychain, Credential Manager, or a Secret Service such as
 * gnome-keyring or KWallet on Linux), else null: a headless Linux without a D-Bus session or a Secret Service has
 * none, and WaGate then relies on the data folder's permissions.
 */
export function openOsKeyring(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): OsKeyring | null {
  // WAGATE_KEYRING=off: the folder's permissions only (a server without a keyring prompt; the test suite).
  if (env.WAGATE_KEYRING === 'off') return null;
  try {
    entry('probe').getPassword();
  } catch {
    return null;
  }
  return {
    name: NAMES[platform] ?? 'system keyring',
    get: (account) => entry(account).getPassword() ?? null,
    set: (account, secret) => entry(account).setPassword(secret),
    delete: (account) => void entry(account).deletePassword(),
  };
}
