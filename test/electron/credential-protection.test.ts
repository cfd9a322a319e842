import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeCredentialProtection } from '../../electron/credential-protection.ts';

type Backend = 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown';
const safeStorage = (available: boolean, backend: Backend) => ({
  isEncryptionAvailable: () => available,
  getSelectedStorageBackend: () => backend,
});

test('Linux with a keyring (libsecret or KWallet) protects the credentials', () => {
  for (const backend of ['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6'] as const) {
    const result = describeCredentialProtection(safeStorage(true, backend), 'linux');
    assert.equal(result.protectedByOs, true, backend);
    assert.equal(result.backend, backend);
    assert.match(result.summary, new RegExp(backend));
  }
});

test("Linux without a keyring falls back to Electron's built-in key: reported as not protected, in words for the UI", () => {
  const result = describeCredentialProtection(safeStorage(true, 'basic_text'), 'linux');
  assert.equal(result.protectedByOs, false);
  assert.match(result.summary, /no keyring/);
  assert.equal(describeCredentialProtection(safeStorage(false, 'unknown'), 'linux').protectedByOs, false);
});

test('macOS uses the Keychain and Windows DPAPI, when safeStorage says they are available', () => {
  assert.deepEqual(
    { ...describeCredentialProtection(safeStorage(true, 'unknown'), 'darwin'), summary: '' },
    { protectedByOs: true, backend: 'keychain', summary: '' },
  );
  assert.equal(describeCredentialProtection(safeStorage(true, 'unknown'), 'win32').backend, 'dpapi');
  assert.equal(describeCredentialProtection(safeStorage(false, 'unknown'), 'darwin').protectedByOs, false);
});
