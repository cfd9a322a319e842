import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright';
import { buildElectron } from '../../electron/build.ts';
import { findFreePort } from '../../electron/port-fallback.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The Electron binary, when `npm install` could download it. Read from electron's path.txt rather than
 * `require('electron')`, which would try to download it right now.
 */
function electronBinary(): string | null {
  const pkg = join(root, 'node_modules/electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const binary = process.env.ELECTRON_OVERRIDE_DIST_PATH
    ? join(process.env.ELECTRON_OVERRIDE_DIST_PATH, relative)
    : join(pkg, 'dist', relative);
  try {
    accessSync(binary, constants.X_OK);
    return binary;
  } catch {
    return null;
  }
}

function skipReason(binary: string | null): string | false {
  if (!binary) return 'skipped: Electron binary not installed';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'skipped: no display (run under xvfb-run)';
  return false;
}

const binary = electronBinary();
const reason = skipReason(binary);
if (reason) console.log(`app.e2e: ${reason}`);

/** Calls the API from inside the dashboard page, with the window's own admin cookie. */
function api(
  page: Page,
  path: string,
  body?: unknown,
): Promise<{ status: boolean; data?: Record<string, unknown>; error?: string }> {
  return page.evaluate(
    async ({ path, body }) => {
      const init: RequestInit =
        body === undefined
          ? {}
          : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
      return (await fetch(path, init)).json();
    },
    { path, body },
  );
}

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function launchArgs(main: string, dataDir: string, port: number): string[] {
  const args = [main, '--data-dir', dataDir, '--port', String(port), '--sandbox'];
  // Chromium refuses to run as root with its sandbox on (CI containers).
  return process.getuid?.() === 0 ? [...args, '--no-sandbox'] : args;
}

test(
  'the desktop app: pairs through the sandbox, sends, keeps one instance, blocks navigation away, quits cleanly',
  { skip: reason, timeout: 240_000 },
  async () => {
    // A bundle of its own beside dist/renderer, which it serves.
    mkdirSync(join(root, 'dist'), { recursive: true });
    const bundle = mkdtempSync(join(root, 'dist', 'electron-e2e-'));
    await buildElectron(bundle);
    const main = join(bundle, 'main.js');
    const dataDir = mkdtempSync(join(tmpdir(), 'wagate-e2e-'));
    const port = await findFreePort('127.0.0.1', 17_001);
    const origin = `http://127.0.0.1:${port}`;
    let app: ElectronApplication | null = null;
    try {
      app = await electron.launch({ executablePath: binary!, args: launchArgs(main, dataDir, port), timeout: 60_000 });
      const page = await app.firstWindow({ timeout: 60_000 });
      await page.waitForURL(`${origin}/**`, { timeout: 60_000 });
      assert.equal(await page.title(), 'WaGate');
      const preload = await page.evaluate(
        () => typeof (window as unknown as { wagateDesktop?: unknown }).wagateDesktop,
      );
      assert.equal(preload, 'object', 'the preload exposes window.wagateDesktop');
      assert.equal(
        await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require),
        'undefined',
        'no Node in the page',
      );

      // First pairing, through the sandbox's virtual phone.
      const scanned = await api(page, '/sandbox/phone/scan', {});
      assert.equal(scanned.status, true, scanned.error);
      await until('the session to connect', async () => (await api(page, '/session')).data?.state === 'connected');

      const sent = await api(page, '/chats/15550001111/messages', {
        text: 'Hello from the tray app',
        typing_simulation: false,
        presence_simulation: false,
      });
      assert.equal(sent.status, true, sent.error);
      await until('Alice to receive it', async () =>
        JSON.stringify((await api(page, '/sandbox/contacts/15550001111/inbox')).data ?? '').includes(
          'Hello from the tray app',
        ),
      );

      // Navigation away: a web link goes to the system browser (recorded here), the window stays; file: goes nowhere.
      await app.evaluate(({ shell }) => {
        const opened: string[] = [];
        (globalThis as unknown as { opened: string[] }).opened = opened;
        shell.openExternal = async (url: string) => void opened.push(url);
      });
      await page.evaluate(() => void (window.location.href = 'https://example.com/'));
      await page.evaluate(() => void (window.location.href = 'file:///etc/passwd'));
      await page.evaluate(() => void window.open('https://example.org/', '_blank'));
      await until(
        'the external links to be handed to the browser',
        async () => (await app!.evaluate(() => (globalThis as unknown as { opened: string[] }).opened.length)) === 2,
      );
      assert.deepEqual(await app.evaluate(() => (globalThis as unknown as { opened: string[] }).opened), [
        'https://example.com/',
        'https://example.org/',
      ]);
      assert.ok(page.url().startsWith(origin), `the window stayed on the dashboard, not ${page.url()}`);
      assert.equal(app.windows().length, 1, 'window.open made no window');

      // Closing hides to the tray; a second launch focuses the first and exits.
      await page.evaluate(() => window.close());
      await until(
        'the window to hide',
        async () => !(await app!.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isVisible())),
      );
      const second = spawn(binary!, launchArgs(main, dataDir, port), { stdio: 'ignore' });
      const exitCode = await new Promise<number | null>((resolve, reject) => {
        const timer = setTimeout(
          () => (second.kill('SIGKILL'), reject(new Error('the second instance did not exit'))),
          30_000,
        );
        second.on('exit', (code) => (clearTimeout(timer), resolve(code)));
      });
      assert.equal(exitCode, 0);
      await until('the first window to show again', async () =>
        app!.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isVisible()),
      );

      // Quit stops the core: its server info file goes away once every write is flushed.
      const serverInfo = join(dataDir, 'sandbox', 'server.json');
      assert.ok(existsSync(serverInfo));
      const closed = new Promise<void>((resolve) => app!.process().on('exit', () => resolve()));
      await app.evaluate(({ app: electronApp }) => electronApp.quit());
      await closed;
      app = null;
      assert.equal(existsSync(serverInfo), false, 'the core stopped cleanly');
    } finally {
      await app?.close().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(bundle, { recursive: true, force: true });
    }
  },
);
