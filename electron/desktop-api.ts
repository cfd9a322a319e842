import type { CredentialProtection } from './credential-protection.ts';

/** What the dashboard learns from the shell when it runs inside the desktop app (`window.wagateDesktop`). */
export interface DesktopInfo {
  version: string;
  platform: NodeJS.Platform;
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
