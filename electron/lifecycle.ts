import { rmSync } from 'node:fs';
import type { BrowserWindow } from 'electron';
import { app, dialog, Menu, safeStorage } from 'electron';
import { loadConfig, type Config } from '../server/config.ts';
import type { CredentialProtection } from '../server/contract/desktop.ts';
import type { SessionSnapshot } from '../server/contract/session.ts';
import { openOsKeyring } from '../server/credentials/os-keyring.ts';
import { createLogger, type Logger } from '../server/logger.ts';
import { wasStartedAtLogin } from './autostart.ts';
import { forkCore, type CoreHost, type CoreStarted } from './core-host.ts';
import { afterCrash, crashWords } from './crash-policy.ts';
import {
  forgetUnusableCredentials,
  isCredentialFailure,
  linkAgainPrompt,
  loadCredentialKey,
} from './credential-key.ts';
import { describeCredentialProtection, describeCredentialStorage } from './credential-protection.ts';
import { setupIpc } from './ipc.ts';
import type { LaunchOptions } from './launch-options.ts';
import { createMainWindow, logIn, showWindow } from './main-window.ts';
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
  /** The core's entry (electron/core-process.ts, bundled), run in a utility process. */
  coreProcess: string;
}

export interface LifecycleDeps {
  launch: LaunchOptions;
  dataDir: string;
  files: ShellFiles;
}

/** A core that runs: its process, what it said when it started, and the config it started with. */
interface RunningCore {
  host: CoreHost;
  started: CoreStarted;
  config: Config;
}

const STOP_TIMEOUT_MS = 15_000;

/**
 * The app's life, for the one instance that holds the lock: once Electron is ready, the tray, then the core in its
 * utility process (asking about a taken port or unreadable credentials), then the window; a second launch opens the
 * window; a core that crashes is restarted; Quit stops the core and waits for every pending write before the app exits.
 */
export function setupLifecycle({ launch, dataDir, files }: LifecycleDeps): void {
  let running: RunningCore | null = null;
  /** Every core process alive, started or still starting: Quit waits for each to stop. */
  const hosts = new Set<CoreHost>();
  let session: SessionSnapshot | null = null;
  let window: BrowserWindow | null = null;
  let tray: DesktopTray | null = null;
  let logger: Logger | null = null;
  let protection: CredentialProtection | null = null;
  let quitting = false;
  let lastCrashAt: number | null = null;
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
    // A start cut short by Quit is no failure to tell anyone about.
    if (quitting) return;
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

  async function askToLinkAgain(error: Error): Promise<boolean> {
    const { response } = await dialog.showMessageBox({
      type: 'warning',
      title: 'WaGate',
      ...linkAgainPrompt(error),
      defaultId: 1,
      cancelId: 1,
    });
    return response === 0;
  }

  function fork(): CoreHost {
    const host = forkCore(files.coreProcess);
    hosts.add(host);
    void host.exited.then(() => hosts.delete(host));
    return host;
  }

  /**
   * Starts a core with the credentials sealed by the keyring's key, which only this process can ask for. Credentials
   * that cannot be opened stop the start, and the user may forget them and link again; nothing is forgotten without
   * that answer. Each attempt is a fresh process: a failed start leaves nothing behind in the next one.
   */
  async function startWithCredentials(config: Config, shown: CredentialProtection): Promise<RunningCore> {
    const keyring = openOsKeyring();
    for (;;) {
      const host = fork();
      try {
        const { key, storage } = loadCredentialKey({
          safeStorage,
          protectedByOs: shown.protectedByOs,
          dataDir,
          keyring,
        });
        const started = await host.start({
          config,
          credentialKey: key,
          credentialStorage: storage,
          dashboardDir: files.dashboardDir,
        });
        return { host, started, config };
      } catch (error) {
        try {
          if (!isCredentialFailure(error) || !(await askToLinkAgain(error))) throw error;
          await forgetUnusableCredentials(error, {
            dataDir,
            fs: { rmSync },
            forgetLink: () => host.forgetLink(config),
          });
        } finally {
          await host.stop(STOP_TIMEOUT_MS);
        }
      }
    }
  }

  async function start(): Promise<void> {
    // No File/View menu (and no DevTools shortcut) on Windows and Linux; macOS keeps its standard Edit menu.
    if (process.platform !== 'darwin') Menu.setApplicationMenu(null);
    tray = setupTray({ iconDir: files.trayIcons, icon: files.icon, open: openWindow });
    const shown = describeCredentialProtection(safeStorage, process.platform);
    protection = shown;

    const config = loadConfig({ dataDir, port: launch.port, sandbox: launch.sandbox });
    logger = createLogger(config.logLevel);
    const result = await startWithPortFallback({
      config,
      start: (c) => startWithCredentials(c, shown),
      ask: askAboutPort,
      findFreePort,
      identifyHolder: identifyPortHolder,
      remember: (port) => rememberPort(dataDir, port),
    });
    if (quitting) return;
    if (!result.core) {
      if (result.conflict.holder === 'wagate')
        dialog.showErrorBox('WaGate is already running', describePortConflict(result.conflict));
      return app.quit();
    }
    await runWithCore(result.core, tray, { protection: shown, movedFrom: result.movedFrom });
  }

  /** The tray follows the core's session and pacing; a crash of its process is reported and the core restarted. */
  function adopt(core: RunningCore, shown: DesktopTray): void {
    running = core;
    failure = null;
    shown.setApiUrl(core.started.url);
    follow(core.started.session, shown);
    shown.setPacing(core.started.pacing);
    core.host.on('session', ({ snapshot }) => follow(snapshot, shown));
    core.host.on('pacing', ({ pacing }) => shown.setPacing(pacing));
    core.host.onCrash((code) => void recover(core, code, shown));
  }

  function follow(snapshot: SessionSnapshot, shown: DesktopTray): void {
    shown.follow(snapshot);
    if (session && needsPairing(snapshot) && !needsPairing(session)) showWindow(window);
    session = snapshot;
  }

  async function runWithCore(
    core: RunningCore,
    shown: DesktopTray,
    { protection, movedFrom }: { protection: CredentialProtection; movedFrom: number | null },
  ): Promise<void> {
    const { url } = core.started;
    adopt(core, shown);
    let portNotice: string | null = null;
    if (movedFrom !== null) {
      portNotice = describeMovedPort(movedFrom, Number(new URL(url).port));
      shown.setNotice(portNotice);
      shown.notify({ title: 'WaGate moved to another port', body: portNotice });
    }
    setupIpc(new URL(url).origin, {
      version: core.started.version,
      platform: process.platform,
      credentialProtection: describeCredentialStorage(core.started.credentialStorage, protection),
      portNotice,
    });

    window = await createMainWindow({
      url,
      login: core.started.dashboardLogin,
      preload: files.preload,
      icon: files.icon,
      isQuitting: () => quitting,
    });
    const hidden = wasStartedAtLogin(process.argv, app, process.platform);
    if (!hidden || (session && needsPairing(session))) showWindow(window);
  }

  /**
   * The core's process ended without being asked: the tray and a notification say so, and the core starts again on
   * the same port and data (what it had accepted is on disk). A second crash within a minute asks first.
   */
  async function recover(crashed: RunningCore, code: number, shown: DesktopTray): Promise<void> {
    if (running !== crashed || quitting) return;
    running = null;
    logger?.error({ code }, "WaGate's core stopped unexpectedly");
    const words = crashWords(code);
    shown.setApiUrl(null);
    shown.render({ kind: 'failed', reason: words.status });
    shown.notify(words.notice);
    const now = Date.now();
    const decision = afterCrash(lastCrashAt, now);
    lastCrashAt = now;
    if (decision === 'ask') {
      const { response } = await dialog.showMessageBox({
        type: 'error',
        title: 'WaGate',
        ...words.question,
        defaultId: 0,
        cancelId: 1,
      });
      if (response !== 0) return app.quit();
    }
    try {
      const core = await startWithCredentials(crashed.config, protection!);
      if (quitting) return;
      adopt(core, shown);
      await logIn(core.started.url, core.started.dashboardLogin);
    } catch (error) {
      fail(`${words.stopped}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  app.on('second-instance', openWindow);
  // macOS: a click on the Dock icon brings the hidden window back (it also fires at launch, before there is one).
  app.on('activate', () => showWindow(window));
  // Windows shows notifications only for an app with an id; the installer's shortcut carries the same appId.
  if (process.platform === 'win32') app.setAppUserModelId('app.wagate.desktop');
  // Closing the window hides it; the app lives in the tray until Quit.
  app.on('window-all-closed', () => undefined);
  // Quit = each core process stops its HTTP server and WhatsApp session and flushes every pending write, then exits;
  // then the app exits. A process started meanwhile (a start under way) gets the same on the next round.
  app.on('before-quit', (event) => {
    quitting = true;
    tray?.stopNotifying();
    if (hosts.size === 0) return;
    event.preventDefault();
    running = null;
    tray?.setApiUrl(null);
    void Promise.all([...hosts].map((host) => host.stop(STOP_TIMEOUT_MS))).then(() => app.quit());
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
}
