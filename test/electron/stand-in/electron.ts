import { fork, type ChildProcess } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { appendFileSync, existsSync } from 'node:fs';
import { constants } from 'node:os';
import { basename } from 'node:path';

/**
 * The parts of Electron's main-process API that the shell (electron/main.ts and what it sets up) touches, recording each call as a JSON line in
 * $STAND_IN_LOG. Only for test/electron/main-wiring.test.ts, where the real binary is not installed; the behaviour
 * that matters (cookies, navigation, the window) is covered by app.e2e.test.ts wherever Electron runs.
 */
function record(event: string, detail: Record<string, unknown> = {}): void {
  appendFileSync(process.env.STAND_IN_LOG!, `${JSON.stringify({ event, ...detail })}\n`);
}

function preventable(): { event: { preventDefault(): void }; prevented: () => boolean } {
  let prevented = false;
  return { event: { preventDefault: () => (prevented = true) }, prevented: () => prevented };
}

type Handler = (event: unknown, ...args: unknown[]) => unknown;
const ipcHandlers = new Map<string, Handler>();

class App extends EventEmitter {
  setName(name: string) {
    record('app.setName', { name });
  }
  setPath(name: string, path: string) {
    if (!existsSync(path)) throw new Error(`setPath: ${path} does not exist`);
    record('app.setPath', { name, path });
  }
  requestSingleInstanceLock() {
    return process.env.STAND_IN_LOCK !== 'taken';
  }
  whenReady() {
    return Promise.resolve();
  }
  getAppPath() {
    return process.cwd();
  }
  getLoginItemSettings() {
    return { openAtLogin: false, wasOpenedAtLogin: false };
  }
  setLoginItemSettings() {}
  quit() {
    const { event, prevented } = preventable();
    this.emit('before-quit', event);
    record('app.quit', { prevented: prevented() });
    if (!prevented()) process.exit(0);
  }
}
export const app = new App();

export const nativeImage = {
  createFromPath(path: string) {
    if (!existsSync(path)) throw new Error(`no image at ${path}`);
    return { path };
  },
};

export class Tray extends EventEmitter {
  setImage(image: { path: string }) {
    record('tray.setImage', { file: image.path.split('/').pop() });
  }
  setToolTip(tooltip: string) {
    record('tray.setToolTip', { tooltip });
  }
  setContextMenu(menu: { items: { id?: string; label?: string }[] }) {
    record('tray.setContextMenu', { labels: menu.items.map((item) => item.label).filter(Boolean) });
  }
  destroy() {}
}

export const Menu = {
  buildFromTemplate: (items: unknown[]) => ({ items }),
  setApplicationMenu: (menu: unknown) => record('menu.setApplicationMenu', { menu }),
};

const cookies: { url: string; name: string; value: string; httpOnly?: boolean; sameSite?: string }[] = [];
export const session = {
  defaultSession: {
    cookies: {
      set: async (cookie: (typeof cookies)[number]) => void (cookies.push(cookie), record('cookie', { ...cookie })),
    },
    setPermissionRequestHandler: () => record('permissions.request'),
    setPermissionCheckHandler: () => record('permissions.check'),
    setDevicePermissionHandler: () => record('permissions.device'),
    webRequest: { onHeadersReceived: () => record('csp') },
  },
};

class WebContents extends EventEmitter {
  setWindowOpenHandler() {
    record('webContents.setWindowOpenHandler');
  }
}

export class BrowserWindow extends EventEmitter {
  webContents = new WebContents();
  visible = false;
  constructor(options: { webPreferences?: { preload?: string } }) {
    super();
    record('window.new', {
      preload: options.webPreferences?.preload,
      preloadExists: existsSync(options.webPreferences?.preload ?? ''),
    });
  }
  /** Loads like Electron would, then calls the desktop API as the page's top frame would. */
  async loadURL(url: string) {
    const response = await fetch(url, { headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') } });
    record('window.loadURL', { url, status: response.status });
    for (const [channel, handler] of ipcHandlers) {
      record('ipc.invoke', { channel, result: await handler({ senderFrame: { url, parent: null } }) });
    }
  }
  show() {
    this.visible = true;
    record('window.show');
  }
  hide() {
    this.visible = false;
  }
  focus() {}
  restore() {}
  isMinimized() {
    return false;
  }
  isDestroyed() {
    return false;
  }
}

export const ipcMain = { handle: (channel: string, handler: Handler) => void ipcHandlers.set(channel, handler) };
export const clipboard = { writeText: (text: string) => record('clipboard', { text }) };
export const shell = { openExternal: async (url: string) => record('shell.openExternal', { url }) };
/** No keyring unless $STAND_IN_KEYRING holds one's secret (64 hex digits): then a libsecret that seals with it. */
const keyringSecret = process.env.STAND_IN_KEYRING ? Buffer.from(process.env.STAND_IN_KEYRING, 'hex') : null;
export const safeStorage = {
  isEncryptionAvailable: () => keyringSecret !== null,
  getSelectedStorageBackend: () => (keyringSecret ? 'gnome_libsecret' : 'basic_text'),
  encryptString(text: string) {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keyringSecret!, iv);
    return Buffer.concat([iv, cipher.update(text, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  },
  decryptString(data: Buffer) {
    const decipher = createDecipheriv('aes-256-gcm', keyringSecret!, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]).toString('utf8');
  },
};
export const dialog = {
  showMessageBox: async (options: { message: string; detail?: string; buttons?: string[] }) => {
    record('dialog', { message: options.message, detail: options.detail, buttons: options.buttons });
    return { response: 0 };
  },
  showErrorBox: (title: string, content: string) => record('dialog.error', { title, content }),
};

export class Notification extends EventEmitter {
  static isSupported() {
    return true;
  }
  options: { title: string; body: string };
  constructor(options: { title: string; body: string }) {
    super();
    this.options = options;
  }
  show() {
    record('notification', this.options);
  }
}

/**
 * Electron's utilityProcess as a real Node child process: `modulePath` runs with ./parent-port.ts giving it
 * `process.parentPort`, messages are structured clones both ways (Node's 'advanced' serialization, as Electron's
 * postMessage), stdout and stderr are inherited by default, and the exit code of a killed process is its signal's
 * number, as Chromium reports it.
 */
class UtilityProcess extends EventEmitter {
  pid: number | undefined;
  stdout = null;
  stderr = null;
  readonly #child: ChildProcess;
  constructor(
    modulePath: string,
    args: string[],
    options: { serviceName?: string; stdio?: 'inherit' | 'ignore' | 'pipe'; env?: object },
  ) {
    super();
    const out = options.stdio ?? 'inherit';
    if (out === 'pipe') throw new Error('the stand-in has no piped stdio');
    this.#child = fork(modulePath, args, {
      execArgv: ['--import', new URL('./parent-port.ts', import.meta.url).href],
      serialization: 'advanced',
      stdio: ['ignore', out, out, 'ipc'],
      env: { ...(options.env ?? process.env) } as NodeJS.ProcessEnv,
    });
    this.pid = this.#child.pid;
    record('utilityProcess.fork', {
      module: basename(modulePath),
      args,
      serviceName: options.serviceName,
      pid: this.pid,
    });
    this.#child.on('spawn', () => this.emit('spawn'));
    this.#child.on('message', (message) => this.emit('message', message));
    this.#child.on('exit', (code, signal) => {
      this.pid = undefined;
      const exitCode = code ?? (signal ? constants.signals[signal] : 1);
      record('utilityProcess.exit', { code: exitCode });
      this.emit('exit', exitCode);
    });
  }
  postMessage(message: unknown) {
    if (this.#child.connected) this.#child.send(message as never);
  }
  kill() {
    record('utilityProcess.kill');
    return this.#child.kill('SIGTERM');
  }
}
export const utilityProcess = {
  fork: (modulePath: string, args: string[] = [], options = {}) => new UtilityProcess(modulePath, args, options),
};
