import { rmSync } from 'node:fs';
import type { BrowserWindow } from 'electron';
import { app, dialog, Menu, safeStorage } from 'electron';
import { loadConfig, type Config } from '../server/config.ts';
import { createLogger, type Logger } from '../server/logger.ts';
import { startCore, VERSION, type Core } from '../server/core.ts';
import { wasStartedAtLogin } from './autostart.ts';
import {
  forgetUnusableCredentials,
  isCredentialFailure,
  linkAgainPrompt,
  loadCredentialKey,
} from './credential-key.ts';
import { describeCredentialProtection, describeCredentialStorage } from './credential-protection.ts';
import type { CredentialProtection } from '../server/contract/desktop.ts';
import { openOsKeyring } from '../server/credentials/os-keyring.ts';
import { setupIpc } from './ipc.ts';
import type { LaunchOptions } from './launch-options.ts';
import { createMainWindow, showWindow } from './main-window.ts';
import {
  describeMovedPort,
  describePortConflict,
  findFreePort,
  identifyPortHolder,
  rememberPort,
  startWithPortFallback,
  type PortConflict,
} from './port-fallback.ts';
import { setupTray, type DesktopTray } from './tray.ts';
import { needsPairing } from './tray-state.ts';

/** Files beside the bundle. */
export interface ShellFiles {
  preload: string;
  icon: string;
  trayIcons: string;
  dashboardDir: string;
}

export interface LifecycleDeps {
  launch: LaunchOptions;
  dataDir: string;
  files: ShellFiles;
}

const STOP_TIMEOUT_MS = 15_000;

/**
 * The app's life, for the one instance that holds the lock: once Electron is ready, the tray, then the core (asking
 * about a taken port or unreadable credentials), then the window; a second launch opens the window; Quit stops the
 * core and flushes every pending write before the app exits.
 */
export function setupLifecycle({ launch, dataDir, files }: LifecycleDeps): void {
  let running: { core: Core; logger: Logger } | null = null;
  let window: BrowserWindow | null = null;
  let tray: DesktopTray | null = null;
  let quitting = false;
  let stopping: Promise<void> | null = null;
  /** Why the core is not running, once it failed to start. */
  let failure: string | null = null;

  function openWindow(): void {
    if (window) return showWindow(window);
    const message = failure ? 'WaGate is not running' : 'WaGate is still starting';
    void dialog.showMessageBox({
      type: failure ? 'error' : 'info',
      title: 'WaGate',
      message,
      detail: failure ?? undefined,
    });
  }

  function fail(reason: string): void {
    failure = reason;
    tray?.render({ kind: 'failed', reason });
    dialog.showErrorBox('WaGate could not start', reason);
  }

  async function askAboutPort(conflict: PortConflict): Promise<boolean> {
    tray?.render({ kind: 'failed', reason: `Port ${conflict.port} is taken` });
    const { response } = await dialog.showMessageBox({
      type: 'warning',
      title: 'WaGate',
      message: `Port ${conflict.port} is already in use`,
      detail: describePortConflict(conflict),
      buttons: [`Use port ${conflict.offered}`, 'Quit'],
      defaultId: 0,
      cancelId: 1,
    });
    return response === 0;
  }

  /**
   * Starts the core with the credentials sealed by the keyring's key. Credentials it cannot open stop the start,
   * and the user may forget them and link again; nothing is forgotten without that answer.
   */
  async function startWithCredentials(config: Config, logger: Logger, protection: CredentialProtection): Promise<Core> {
    const fs = { rmSync };
    const keyring = openOsKeyring();
    for (;;) {
      try {
        const { key, storage } = loadCredentialKey({
          safeStorage,
          protectedByOs: protection.protectedByOs,
          dataDir,
          keyring,
        });
        return await startCore(config, {
          logger,
          dashboardDir: files.dashboardDir,
          credentialKey: key ?? undefined,
          credentialStorage: storage,
        });
      } catch (error) {
        if (!isCredentialFailure(error)) throw error;
        const { response } = await dialog.showMessageBox({
          type: 'warning',
          title: 'WaGate',
          ...linkAgainPrompt(error),
          defaultId: 1,
          cancelId: 1,
        });
        if (response !== 0) throw error;
        forgetUnusableCredentials(error, { config, fs });
      }
    }
  }

  async function start(): Promise<void> {
    // No File/View menu (and no DevTools shortcut) on Windows and Linux; macOS keeps its standard Edit menu.
    if (process.platform !== 'darwin') Menu.setApplicationMenu(null);
    tray = setupTray({ iconDir: files.trayIcons, icon: files.icon, open: openWindow });
    const protection = describeCredentialProtection(safeStorage, process.platform);

    const config = loadConfig({ dataDir, port: launch.port, sandbox: launch.sandbox });
    const logger = createLogger(config.logLevel);
    const result = await startWithPortFallback({
      config,
      start: (c) => startWithCredentials(c, logger, protection),
      ask: askAboutPort,
      findFreePort,
      identifyHolder: identifyPortHolder,
      remember: (port) => rememberPort(dataDir, port),
    });
    if (!result.core) {
      if (result.conflict.holder === 'wagate')
        dialog.showErrorBox('WaGate is already running', describePortConflict(result.conflict));
      return app.quit();
    }
    await runWithCore(result.core, tray, { logger, protection, movedFrom: result.movedFrom });
  }

  async function runWithCore(
    core: Core,
    shown: DesktopTray,
    { logger, protection, movedFrom }: { logger: Logger; protection: CredentialProtection; movedFrom: number | null },
  ): Promise<void> {
    running = { core, logger };
    let portNotice: string | null = null;
    if (movedFrom !== null) {
      portNotice = describeMovedPort(movedFrom, Number(new URL(core.url).port));
      shown.setNotice(portNotice);
      shown.notify({ title: 'WaGate moved to another port', body: portNotice });
    }
    shown.setApiUrl(core.url);
    setupIpc(new URL(core.url).origin, {
      version: VERSION,
      platform: process.platform,
      credentialProtection: describeCredentialStorage(core.credentialStorage, protection),
      portNotice,
    });

    let previous = core.session.snapshot();
    shown.follow(previous);
    core.events.on('session.state', (snapshot) => {
      shown.follow(snapshot);
      if (needsPairing(snapshot) && !needsPairing(previous)) showWindow(window);
      previous = snapshot;
    });

    window = await createMainWindow({
      url: core.url,
      admin: core.admin,
      preload: files.preload,
      icon: files.icon,
      isQuitting: () => quitting,
    });
    const hidden = wasStartedAtLogin(process.argv, app, process.platform);
    if (!hidden || needsPairing(core.session.snapshot())) showWindow(window);
  }

  /** Quit = the HTTP server and the WhatsApp session stop and every pending write is flushed, then the app exits. */
  function stopCore(): Promise<void> {
    stopping ??= (async () => {
      tray?.stopNotifying();
      const stopped = running;
      running = null;
      tray?.setApiUrl(null);
      if (!stopped) return;
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref());
      await Promise.race([stopped.core.stop(), timeout]).catch((error: unknown) =>
        stopped.logger.error({ err: error }, 'stopping WaGate failed'),
      );
    })();
    return stopping;
  }

  app.on('second-instance', openWindow);
  // macOS: a click on the Dock icon brings the hidden window back (it also fires at launch, before there is one).
  app.on('activate', () => showWindow(window));
  // Windows shows notifications only for an app with an id; the installer's shortcut carries the same appId.
  if (process.platform === 'win32') app.setAppUserModelId('app.wagate.desktop');
  // Closing the window hides it; the app lives in the tray until Quit.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    quitting = true;
    if (!running) return;
    event.preventDefault();
    void stopCore().then(() => app.quit());
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
}
