import { BrowserWindow, session, shell } from 'electron';
import type { DashboardLogin } from './core-channel.ts';
import { mainWindowOptions } from './window-options.ts';
import { applyNavigationPolicy } from './navigation-policy.ts';
import { applyPermissionPolicy } from './permission-policy.ts';
import { applyContentSecurityPolicy } from './content-security-policy.ts';

export interface MainWindowDeps {
  /** The core's address; the dashboard is its `/`. */
  url: string;
  /** The admin session the core made for the window. */
  login: DashboardLogin;
  preload: string;
  icon: string | undefined;
  /** Closing hides the window to the tray, except while the app quits. */
  isQuitting(): boolean;
}

/**
 * The admin session goes into an HttpOnly cookie before the page loads, so the dashboard is logged in without
 * ever seeing a secret. A session cookie (no expiry): Chromium keeps it in memory only, and each start of the core
 * makes a new one (a restarted core's replaces the old one in the open window).
 */
export async function logIn(url: string, login: DashboardLogin): Promise<void> {
  await session.defaultSession.cookies.set({
    url,
    name: login.cookieName,
    value: login.value,
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
  });
}

export async function createMainWindow({
  url,
  login,
  preload,
  icon,
  isQuitting,
}: MainWindowDeps): Promise<BrowserWindow> {
  const appOrigin = new URL(url).origin;
  applyPermissionPolicy(session.defaultSession, appOrigin);
  applyContentSecurityPolicy(session.defaultSession, appOrigin);
  await logIn(url, login);

  const window = new BrowserWindow(mainWindowOptions(preload, icon));
  applyNavigationPolicy(window.webContents, { appOrigin, openExternal: (target) => void shell.openExternal(target) });
  window.on('close', (event) => {
    if (isQuitting()) return;
    event.preventDefault();
    window.hide();
  });
  await window.loadURL(url);
  return window;
}

export function showWindow(window: BrowserWindow | null): void {
  if (!window || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
