/** Whether the OS keeps the credentials' key, as the desktop shell reports it. */
export interface CredentialProtection {
  /** True when the OS keeps the encryption key (Keychain, DPAPI, libsecret or KWallet). */
  protectedByOs: boolean;
  /** Linux's backend name, or the OS's key store elsewhere. */
  backend: string;
  /** One sentence for the dashboard and the README. */
  summary: string;
}

/** Where the key of the WhatsApp credentials is kept: the OS keyring, or nowhere but the folder's permissions. */
export type CredentialStorage = { kind: 'keyring'; keyring: string } | { kind: 'folder_permissions'; keyring: null };

/** What the dashboard learns from the shell when it runs inside the desktop app (`window.wagateDesktop`). */
export interface DesktopInfo {
  version: string;
  /** process.platform of the machine the shell runs on. */
  platform: string;
  /** Whether the OS can keep the credentials' key; null before the app is ready. */
  credentialProtection: CredentialProtection | null;
  /** Set when the configured port was taken and the API moved, in words for the user. */
  portNotice: string | null;
}

/** The whole surface the preload exposes: one read-only call, no arguments. */
export interface DesktopApi {
  getInfo(): Promise<DesktopInfo>;
}

export const DESKTOP_API_KEY = 'wagateDesktop';
export const GET_INFO_CHANNEL = 'wagate:get-info';
