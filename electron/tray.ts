import { homedir } from 'node:os';
import { app, clipboard, Notification } from 'electron';
import { createAutostart, launchCommand } from './autostart.ts';
import { createNotificationPolicy, type DesktopNotice } from './notification-policy.ts';
import { createTrayController } from './tray-controller.ts';
import { pacingLine, type ShellState } from './tray-state.ts';
import type { PacingSummary } from './core-channel.ts';
import type { SessionSnapshot } from '../server/contract/session.ts';

export interface TrayDeps {
  iconDir: string;
  /** The icon of the desktop notifications. */
  icon: string;
  /** Opens the window (the tray's Open, a click on a notification). */
  open(): void;
}

/** What the app shows of itself outside its window: the tray icon with its menu, and the desktop notifications. */
export interface DesktopTray {
  render(state: ShellState): void;
  /** The session as it is now: the tray follows it, and a lasting change is a notification. */
  follow(snapshot: SessionSnapshot): void;
  /** The API's address in the menu (Copy), or null while the core does not run. */
  setApiUrl(url: string | null): void;
  setNotice(notice: string | null): void;
  /** What pacing holds back, a line of the menu while it holds something. */
  setPacing(pacing: PacingSummary): void;
  notify(notice: Pick<DesktopNotice, 'title' | 'body'>): void;
  /** Before a quit stops the core: the stop is not a disconnection to tell anyone about. */
  stopNotifying(): void;
}

export function setupTray({ iconDir, icon, open }: TrayDeps): DesktopTray {
  let apiUrl: string | null = null;
  const autostart = createAutostart({
    app,
    platform: process.platform,
    env: process.env,
    home: homedir(),
    // In development (`electron .`) the login item must name the app folder too.
    launch: launchCommand(process.execPath, process.env, process.defaultApp ? app.getAppPath() : null),
  });
  const tray = createTrayController({
    iconDir,
    platform: process.platform,
    startAtLogin: () => autostart?.isEnabled() ?? null,
    actions: {
      open,
      copyApiAddress: () => apiUrl && clipboard.writeText(apiUrl),
      setStartAtLogin: (enabled) => autostart?.setEnabled(enabled),
      quit: () => app.quit(),
    },
  });

  function notify(notice: Pick<DesktopNotice, 'title' | 'body'>): void {
    if (!Notification.isSupported()) return;
    const note = new Notification({ title: notice.title, body: notice.body, icon });
    note.on('click', open);
    note.show();
  }
  const notifications = createNotificationPolicy({ notify });

  return {
    render: (state) => tray.render(state),
    follow(snapshot) {
      tray.render({ kind: 'session', snapshot });
      notifications.update(snapshot);
    },
    setApiUrl(url) {
      apiUrl = url;
      tray.setApiUrl(url);
    },
    setNotice: (notice) => tray.setNotice(notice),
    setPacing: (pacing) => tray.setPacing(pacingLine(pacing)),
    notify,
    stopNotifying: () => notifications.dispose(),
  };
}
