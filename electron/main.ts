import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BrowserWindow } from 'electron';
import { app, clipboard, dialog, ipcMain, Menu, Notification, safeStorage } from 'electron';
import { defaultDataDir, loadConfig, type Config } from '../server/config.ts';
import { createLogger, type Logger } from '../server/logger.ts';
import { databaseFile, startCore, VERSION, type Core } from '../server/core.ts';
import { makeOwnerOnlyFolder } from '../server/store/data-folder.ts';
import type { SessionSnapshot } from '../server/events.ts';
import { createAutostart, launchCommand, wasStartedAtLogin } from './autostart.ts';
import {
  forgetUnusableCredentials,
  isCredentialFailure,
  linkAgainPrompt,
  loadCredentialKey,
} from './credential-key.ts';
import { describeCredentialProtection, type CredentialProtection } from './credential-protection.ts';
import { registerDesktopIpc } from './desktop-ipc.ts';
import { parseLaunchOptions } from './launch-options.ts';
import { createMainWindow, showWindow } from './main-window.ts';
import { createNotificationPolicy, type DesktopNotice } from './notification-policy.ts';
import {
  describeMovedPort,
  describePortConflict,
  findFreePort,
  identifyPortHolder,
  rememberPort,
  startWithPortFallback,
  type PortConflict,
} from './port-fallback.ts';
import { createTrayController, type TrayController } from './tray-controller.ts';
import { needsPairing } from './tray-state.ts';

// Files beside this bundle (dist/electron/), inside app.asar once packaged.
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const PRELOAD = here('./preload.cjs');
const ICON = here('./icon.png');
const TRAY_ICONS = here('./tray/');
const DASHBOARD_DIR = here('../renderer/');
const STOP_TIMEOUT_MS = 15_000;

const launch = parseLaunchOptions(process.argv.slice(1));
const dataDir = launch.dataDir ?? defaultDataDir();
app.setName('WaGate');
// Electron's own files and WaGate's share the one folder that server/config.ts names for `wagate serve` too.
// setPath throws for a folder that does not exist yet, as on the first run.
makeOwnerOnlyFolder(dataDir);
app.setPath('userData', dataDir);

let core: Core | null = null;
let window: BrowserWindow | null = null;
let tray: TrayController | null = null;
let quitting = false;
let stopping: Promise<void> | null = null;
let credentialProtection: CredentialProtection | null = null;
let portNotice: string | null = null;
/** Why the core is not running, once it failed to start. */
let failure: string | null = null;

const notifications = createNotificationPolicy({ notify: showNotice });

function showNotice(notice: Pick<DesktopNotice, 'title' | 'body'>): void {
  if (!Notification.isSupported()) return;
  const note = new Notification({ title: notice.title, body: notice.body, icon: ICON });
  note.on('click', openWindow);
  note.show();
}

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
async function startWithCredentials(config: Config, options: { logger: Logger; dashboardDir: string }): Promise<Core> {
  const fs = { readFileSync, writeFileSync, renameSync, rmSync };
  for (;;) {
    try {
      const credentialKey =
        loadCredentialKey({ safeStorage, protectedByOs: credentialProtection?.protectedByOs ?? false, dataDir, fs }) ??
        undefined;
      return await startCore(config, { ...options, credentialKey });
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
      forgetUnusableCredentials(error, { dataDir, databaseFile: databaseFile(config), fs });
    }
  }
}

function onSessionState(snapshot: SessionSnapshot, previous: SessionSnapshot): void {
  tray?.render({ kind: 'session', snapshot });
  notifications.update(snapshot);
  if (needsPairing(snapshot) && !needsPairing(previous)) showWindow(window);
}

async function startShell(): Promise<void> {
  // No File/View menu (and no DevTools shortcut) on Windows and Linux; macOS keeps its standard Edit menu.
  if (process.platform !== 'darwin') Menu.setApplicationMenu(null);
  const autostart = createAutostart({
    app,
    platform: process.platform,
    env: process.env,
    home: homedir(),
    // In development (`electron .`) the login item must name the app folder too.
    launch: launchCommand(process.execPath, process.env, process.defaultApp ? app.getAppPath() : null),
  });
  tray = createTrayController({
    iconDir: TRAY_ICONS,
    platform: process.platform,
    startAtLogin: () => autostart?.isEnabled() ?? null,
    actions: {
      open: openWindow,
      copyApiAddress: () => core && clipboard.writeText(core.url),
      setStartAtLogin: (enabled) => autostart?.setEnabled(enabled),
      quit: () => app.quit(),
    },
  });
  credentialProtection = describeCredentialProtection(safeStorage, process.platform);

  const config = loadConfig({ dataDir, port: launch.port, sandbox: launch.sandbox });
  const logger = createLogger(config.logLevel);
  const result = await startWithPortFallback({
    config,
    start: (c) => startWithCredentials(c, { logger, dashboardDir: DASHBOARD_DIR }),
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
  await runWithCore(result.core, result.movedFrom);
}

async function runWithCore(started: Core, movedFrom: number | null): Promise<void> {
  core = started;
  const appOrigin = new URL(started.url).origin;
  if (movedFrom !== null) {
    portNotice = describeMovedPort(movedFrom, Number(new URL(started.url).port));
    tray?.setNotice(portNotice);
    showNotice({ title: 'WaGate moved to another port', body: portNotice });
  }
  tray?.setApiUrl(started.url);
  registerDesktopIpc(ipcMain, appOrigin, () => ({
    version: VERSION,
    platform: process.platform,
    credentialProtection,
    portNotice,
  }));

  let previous = started.session.snapshot();
  tray?.render({ kind: 'session', snapshot: previous });
  notifications.update(previous);
  started.events.on('session.state', (snapshot) => {
    onSessionState(snapshot, previous);
    previous = snapshot;
  });

  window = await createMainWindow({
    url: started.url,
    admin: started.admin,
    preload: PRELOAD,
    icon: ICON,
    isQuitting: () => quitting,
  });
  const hidden = wasStartedAtLogin(process.argv, app, process.platform);
  if (!hidden || needsPairing(started.session.snapshot())) showWindow(window);
}

/** Quit = the HTTP server and the WhatsApp session stop and every pending write is flushed, then the app exits. */
function stopCore(): Promise<void> {
  stopping ??= (async () => {
    notifications.dispose();
    const running = core;
    core = null;
    tray?.setApiUrl(null);
    if (!running) return;
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref());
    await Promise.race([running.stop(), timeout]).catch((error: unknown) =>
      console.error('WaGate: stopping failed', error),
    );
  })();
  return stopping;
}

if (!app.requestSingleInstanceLock()) {
  // Another WaGate runs with this data dir: it gets the focus (its 'second-instance' event), this one leaves.
  app.quit();
} else {
  app.on('second-instance', openWindow);
  // macOS: a click on the Dock icon brings the hidden window back (it also fires at launch, before there is one).
  app.on('activate', () => showWindow(window));
  // Windows shows notifications only for an app with an id; the installer's shortcut carries the same appId.
  if (process.platform === 'win32') app.setAppUserModelId('app.wagate.desktop');
  // Closing the window hides it; the app lives in the tray until Quit.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    quitting = true;
    if (!core) return;
    event.preventDefault();
    void stopCore().then(() => app.quit());
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  app
    .whenReady()
    .then(startShell)
    .catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
}
