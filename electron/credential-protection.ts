import type { SafeStorage } from 'electron';
import type { CredentialProtection, CredentialStorage } from '../server/contract/desktop.ts';

const OS_STORE: Partial<Record<NodeJS.Platform, string>> = { darwin: 'keychain', win32: 'dpapi' };

/**
 * What safeStorage would give on this machine. On Linux without a keyring, Electron falls back to 'basic_text':
 * a key written in Electron's source, which hides nothing from someone who can read the data dir.
 * Call it after the app is ready; before that safeStorage reports nothing is available.
 */
export function describeCredentialProtection(
  safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'getSelectedStorageBackend'>,
  platform: NodeJS.Platform,
): CredentialProtection {
  const available = safeStorage.isEncryptionAvailable();
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend() : (OS_STORE[platform] ?? 'unknown');
  const protectedByOs = available && backend !== 'basic_text' && backend !== 'unknown';
  const summary = protectedByOs ? keptBy(backend) : NO_KEYRING;
  return { protectedByOs, backend, summary };
}

const keptBy = (backend: string) =>
  `The WhatsApp credentials are encrypted with a key kept by the system (${backend}).`;
const NO_KEYRING =
  'This system has no keyring for WaGate: the WhatsApp credentials are protected only by the permissions of your data folder.';

/** Once the key is loaded, what really keeps it: the OS keyring shared with `wagate serve`, safeStorage, or nothing. */
export function describeCredentialStorage(
  storage: CredentialStorage,
  safeStorageView: CredentialProtection,
): CredentialProtection {
  if (storage.kind === 'folder_permissions')
    return { protectedByOs: false, backend: safeStorageView.backend, summary: NO_KEYRING };
  if (storage.keyring === 'safeStorage') return safeStorageView;
  return { protectedByOs: true, backend: storage.keyring, summary: keptBy(storage.keyring) };
}
