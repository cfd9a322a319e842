import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright';
import { buildElectron } from '../../electron/build.ts';
import { electronBinary } from '../../electron/electron-binary.ts';
import { findFreePort } from '../../electron/port-fallback.ts';
import { ALICE } from '../support/contacts.ts';
import { atEnd, suiteScope, type Scope } from '../support/scope.ts';
import { eventually } from '../support/waits.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

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

function launchArgs(main: string, dataDir: string, port: number): string[] {
  const args = [main, '--data-dir', dataDir, '--port', String(port), '--sandbox'];
  // Chromium refuses to run as root with its sandbox on (CI containers).
  return process.getuid?.() === 0 ? [...args, '--no-sandbox'] : args;
}

interface DesktopApp {
  app: ElectronApplication;
  page: Page;
  main: string;
  dataDir: string;
  port: number;
  origin: string;
}

/** The built shell launched in sandbox mode, its first window on the dashboard; closed and cleaned up with `scope`. */
async function launchDesktopApp(scope: Scope): Promise<DesktopApp> {
  // A bundle of its own beside dist/renderer, which it serves.
  mkdirSync(join(root, 'dist'), { recursive: true });
  const bundle = mkdtempSync(join(root, 'dist', 'electron-e2e-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'wagate-e2e-'));
  let app: ElectronApplication | null = null;
  atEnd(scope, async () => {
    await app?.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(bundle, { recursive: true, force: true });
  });
  await buildElectron(bundle);
  const main = join(bundle, 'main.js');
  const port = await findFreePort('127.0.0.1', 17_001);
  const origin = `http://127.0.0.1:${port}`;
  app = await electron.launch({ executablePath: binary!, args: launchArgs(main, dataDir, port), timeout: 60_000 });
  const page = await app.firstWindow({ timeout: 60_000 });
  await page.waitForURL(`${origin}/**`, { timeout: 60_000 });
  return { app, page, main, dataDir, port, origin };
}

/** The browser windows' visibility, as the main process sees it. */
const firstWindowVisible = (app: ElectronApplication) =>
  app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isVisible() ?? false);

// One app for the file; each test is one behaviour, in the order a user meets them (quitting last).
describe('the desktop app', { skip: reason, timeout: 240_000 }, () => {
  const scope = suiteScope();
  let desktop: DesktopApp;
  before(async () => {
    desktop = await launchDesktopApp(scope);
  });

  test('its window is the dashboard, with the preload bridge and no Node in the page', async () => {
    const { page } = desktop;
    assert.equal(await page.title(), 'WaGate');
    const preload = await page.evaluate(() => typeof (window as unknown as { wagateDesktop?: unknown }).wagateDesktop);
    assert.equal(preload, 'object', 'the preload exposes window.wagateDesktop');
    assert.equal(
      await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require),
      'undefined',
      'no Node in the page',
    );
  });

  test('the core runs in a utility process of its own, not in the main process', async () => {
    const { app, dataDir } = desktop;
    const info = JSON.parse(readFileSync(join(dataDir, 'sandbox', 'server.json'), 'utf8')) as { pid: number };
    const metrics = await app.evaluate(({ app: electronApp }) => electronApp.getAppMetrics());
    const core = metrics.find((metric) => metric.pid === info.pid);
    assert.equal(core?.type, 'Utility');
    assert.equal(core?.serviceName, 'WaGate core');
    assert.notEqual(info.pid, app.process().pid);
  });

  test("pairs with the sandbox's phone and sends a message Alice receives", async () => {
    const { page } = desktop;
    const scanned = await api(page, '/sandbox/phone/scan', {});
    assert.equal(scanned.status, true, scanned.error);
    await eventually(
      async () => (await api(page, '/session')).data?.state === 'connected',
      'the session to connect',
      30_000,
      250,
    );
    const sent = await api(page, `/chats/${ALICE}/messages`, {
      text: 'Hello from the tray app',
      typing_simulation: false,
      presence_simulation: false,
    });
    assert.equal(sent.status, true, sent.error);
    await eventually(
      async () =>
        JSON.stringify((await api(page, `/sandbox/contacts/${ALICE}/inbox`)).data ?? '').includes(
          'Hello from the tray app',
        ),
      'Alice to receive it',
      30_000,
      250,
    );
  });

  test('a web link opens in the system browser and the window stays; file: and window.open go nowhere', async () => {
    const { app, page, origin } = desktop;
    await app.evaluate(({ shell }) => {
      const opened: string[] = [];
      (globalThis as unknown as { opened: string[] }).opened = opened;
      shell.openExternal = async (url: string) => void opened.push(url);
    });
    const opened = () => app.evaluate(() => (globalThis as unknown as { opened: string[] }).opened);
    await page.evaluate(() => void (window.location.href = 'https://example.com/'));
    await page.evaluate(() => void (window.location.href = 'file:///etc/passwd'));
    await page.evaluate(() => void window.open('https://example.org/', '_blank'));
    await eventually(
      async () => (await opened()).length === 2,
      'the external links to be handed to the browser',
      30_000,
      250,
    );
    assert.deepEqual(await opened(), ['https://example.com/', 'https://example.org/']);
    assert.ok(page.url().startsWith(origin), `the window stayed on the dashboard, not ${page.url()}`);
    assert.equal(app.windows().length, 1, 'window.open made no window');
  });

  test('closing the window hides it to the tray; a second launch shows it again and exits', async () => {
    const { app, page, main, dataDir, port } = desktop;
    await page.evaluate(() => window.close());
    await eventually(async () => !(await firstWindowVisible(app)), 'the window to hide', 30_000, 250);
    const second = spawn(binary!, launchArgs(main, dataDir, port), { stdio: 'ignore' });
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(
        () => (second.kill('SIGKILL'), reject(new Error('the second instance did not exit'))),
        30_000,
      );
      second.on('exit', (code) => (clearTimeout(timer), resolve(code)));
    });
    assert.equal(exitCode, 0);
    await eventually(() => firstWindowVisible(app), 'the first window to show again', 30_000, 250);
  });

  test('quitting stops the core: its server info file goes once every write is flushed', async () => {
    const { app, dataDir } = desktop;
    const serverInfo = join(dataDir, 'sandbox', 'server.json');
    assert.ok(existsSync(serverInfo));
    const closed = new Promise<void>((resolve) => app.process().on('exit', () => resolve()));
    await app.evaluate(({ app: electronApp }) => electronApp.quit());
    await closed;
    assert.equal(existsSync(serverInfo), false, 'the core stopped cleanly');
  });
});
