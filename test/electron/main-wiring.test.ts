import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectron } from '../../electron/build.ts';
import { findFreePort } from '../../electron/port-fallback.ts';
import { ALICE } from '../support/contacts.ts';
import { EXACT_PACING } from '../support/pacing.ts';
import { eventually } from '../support/waits.ts';

/**
 * The bundled shell (dist/electron/main.js) with the real core in its own process (dist/electron/core-process.js,
 * forked by the stand-in's utilityProcess as a real Node child), in Node: only `electron` itself is the stand-in in
 * ./stand-in/, which writes what the shell asked of it to a log. Proves the wiring where Electron's binary is missing.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
// A bundle of its own beside dist/renderer (which it serves), so a test building dist/electron at the same time is no bother.
mkdirSync(join(root, 'dist'), { recursive: true });
const BUNDLE = mkdtempSync(join(root, 'dist', 'electron-wiring-'));
const MAIN = join(BUNDLE, 'main.js');
const REGISTER = join(root, 'test/electron/stand-in/register.ts');

interface Entry {
  event: string;
  [key: string]: unknown;
}

interface Shell {
  child: ChildProcess;
  home: string;
  dataDir: string;
  log: () => Entry[];
  /** What the shell and its core process wrote to stdout. */
  stdout: () => string;
  /** The first entry from index `from` on that matches. */
  waitFor: (what: string, match: (entry: Entry) => boolean, timeoutMs?: number, from?: number) => Promise<Entry>;
  exited: Promise<number | null>;
  cleanup: () => Promise<void>;
}

let launches = 0;

/** `home`: another launch on the data dir of an earlier one, which then also cleans it up. */
function startShell(args: string[], env: Record<string, string> = {}, home?: string): Shell {
  const own = home === undefined;
  home ??= mkdtempSync(join(tmpdir(), 'wagate-shell-'));
  // Not made beforehand: a first run starts without its data dir.
  const dataDir = join(home, 'WaGate');
  const logFile = join(home, `stand-in-${++launches}.log`);
  const child = spawn(process.execPath, ['--import', REGISTER, MAIN, '--data-dir', dataDir, ...args], {
    // The stand-in's safeStorage is the keyring here; a developer's own OS keyring is left alone.
    env: { ...process.env, STAND_IN_LOG: logFile, WAGATE_LOG: 'silent', WAGATE_KEYRING: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const log = (): Entry[] =>
    existsSync(logFile)
      ? readFileSync(logFile, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Entry)
      : [];
  const waitFor = (what: string, match: (entry: Entry) => boolean, timeoutMs = 60_000, from = 0): Promise<Entry> =>
    eventually(
      () => {
        const found = log().slice(from).find(match);
        if (!found && child.exitCode !== null) throw new Error(`the shell exited (${child.exitCode})`);
        return found;
      },
      what,
      timeoutMs,
      100,
    ).catch((error: Error) => {
      throw new Error(`no ${what}: ${error.message}\nstderr: ${stderr}\nlog: ${JSON.stringify(log(), null, 1)}`);
    });
  async function cleanup(): Promise<void> {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    if (own) rmSync(home!, { recursive: true, force: true });
  }
  return { child, home, dataDir, log, stdout: () => stdout, waitFor, exited, cleanup };
}

async function exitWithin(shell: Shell, ms: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms)),
  );
  try {
    return await Promise.race([shell.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The core's own pid, as the core writes it beside its database (it runs in sandbox mode in these tests). */
function corePid(shell: Shell): number {
  return (JSON.parse(readFileSync(join(shell.dataDir, 'sandbox', 'server.json'), 'utf8')) as { pid: number }).pid;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** credentials.key as the stand-in's safeStorage sealed it (AES-256-GCM: iv, text, tag): the key's base64 inside. */
function unwrapKeyFile(file: string, secretHex: string): Buffer {
  const data = readFileSync(file);
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(secretHex, 'hex'), data.subarray(0, 12));
  decipher.setAuthTag(data.subarray(data.length - 16));
  const encoded = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
  const key = Buffer.from(encoded.toString('utf8'), 'base64');
  assert.equal(key.length, 32);
  return key;
}

/** Links the sandbox's virtual phone through the dashboard's API, with the window's cookie. */
async function scanWithPhone(url: string, cookieValue: string): Promise<void> {
  const scan = await fetch(`${url}/sandbox/phone/scan`, {
    method: 'POST',
    // As the window's Chromium sends it: the page is the core's own origin.
    headers: {
      cookie: `wagate_admin=${cookieValue}`,
      'content-type': 'application/json',
      'sec-fetch-site': 'same-origin',
    },
    body: '{}',
  });
  assert.equal(scan.status, 200, await scan.text());
}

before(() => buildElectron(BUNDLE));
after(() => rmSync(BUNDLE, { recursive: true, force: true }));

test(
  'the shell starts the core, logs the window in with an HttpOnly cookie, follows the session in the tray, and Quit stops the core',
  { timeout: 120_000 },
  async () => {
    const port = await findFreePort('127.0.0.1', 27_001);
    // The core's logs reach the app's stdout, as when the core ran in the main process.
    const shell = startShell(['--port', String(port), '--sandbox'], { WAGATE_LOG: 'info', WAGATE_LOG_FORMAT: 'json' });
    try {
      const url = `http://127.0.0.1:${port}`;
      const loaded = await shell.waitFor('window load', (e) => e.event === 'window.loadURL');
      assert.equal(loaded.url, url);

      const forked = shell.log().filter((e) => e.event === 'utilityProcess.fork');
      assert.equal(forked.length, 1);
      assert.equal(forked[0]!.module, 'core-process.js');
      assert.equal(forked[0]!.serviceName, 'WaGate core');
      assert.deepEqual(forked[0]!.args, [], 'nothing on the command line');
      const pid = corePid(shell);
      assert.equal(pid, forked[0]!.pid, 'the core runs in the utility process');
      assert.notEqual(pid, shell.child.pid);
      const lines = shell
        .stdout()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { pid?: number });
      assert.ok(
        lines.some((line) => line.pid === pid),
        "the core's log lines (pino's pid is the core's) reach the app's stdout",
      );

      const cookie = shell.log().find((e) => e.event === 'cookie')!;
      assert.equal(cookie.url, url);
      assert.equal(cookie.name, 'wagate_admin');
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'strict');
      const header = { cookie: `wagate_admin=${String(cookie.value)}` };
      assert.equal(
        (await fetch(`${url}/session`, { headers: header })).status,
        200,
        'the cookie is a valid admin session',
      );
      assert.equal((await fetch(`${url}/session`)).status, 401);
      if (existsSync(join(root, 'dist/renderer/index.html')))
        assert.equal(loaded.status, 200, 'the dashboard is served');

      const window = shell.log().find((e) => e.event === 'window.new')!;
      assert.equal(window.preloadExists, true, `preload at ${String(window.preload)}`);
      for (const guard of [
        'permissions.request',
        'permissions.check',
        'permissions.device',
        'csp',
        'webContents.setWindowOpenHandler',
      ]) {
        assert.ok(
          shell.log().some((e) => e.event === guard),
          `${guard} was set up`,
        );
      }
      const info = shell.log().find((e) => e.event === 'ipc.invoke')!.result as Record<string, unknown>;
      assert.equal(info.platform, process.platform);
      assert.equal(info.portNotice, null);
      assert.equal((info.credentialProtection as { protectedByOs: boolean }).protectedByOs, false);

      // A fresh data dir needs pairing: the pairing icon and the window.
      await shell.waitFor('the pairing icon', (e) => e.event === 'tray.setImage' && e.file === 'pairing.png');
      assert.ok(shell.log().some((e) => e.event === 'window.show'));
      const menu = shell.log().findLast((e) => e.event === 'tray.setContextMenu')!;
      assert.deepEqual((menu.labels as string[]).slice(0, 2), [
        'Open WaGate',
        'Needs pairing: scan the QR code in WaGate',
      ]);

      await scanWithPhone(url, String(cookie.value));
      await shell.waitFor('the linked icon', (e) => e.event === 'tray.setImage' && e.file === 'linked.png');
      const tooltip = shell.log().findLast((e) => e.event === 'tray.setToolTip')!;
      assert.match(String(tooltip.tooltip), /^WaGate: Linked to /);

      // Two messages to one chat: pacing holds the second back for the chat's gap (an hour, so however slow the first
      // is to leave, the second waits), and the tray's menu says so.
      const policy = await fetch(`${url}/admin/pacing`, {
        method: 'PUT',
        headers: { ...header, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
        body: JSON.stringify({ ...EXACT_PACING, chat_gap_ms: 3_600_000 }),
      });
      assert.equal(policy.status, 200, await policy.text());
      const created = await fetch(`${url}/admin/keys`, {
        method: 'POST',
        headers: { ...header, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
        body: JSON.stringify({ name: 'wiring' }),
      });
      assert.equal(created.status, 201, await created.clone().text());
      const { key } = ((await created.json()) as { data: { key: string } }).data;
      for (const text of ['first', 'second']) {
        const sent = await fetch(`${url}/chats/${ALICE}/messages`, {
          method: 'POST',
          headers: { authorization: key, 'content-type': 'application/json' },
          body: JSON.stringify({ text, async: true }),
        });
        assert.equal(sent.status, 202, await sent.text());
      }
      await shell.waitFor(
        'the pacing line in the tray',
        (e) =>
          e.event === 'tray.setContextMenu' &&
          (e.labels as string[]).some((l) => /^1 message held back by pacing/.test(l)),
      );

      const serverInfo = join(shell.dataDir, 'sandbox', 'server.json');
      assert.ok(existsSync(serverInfo));
      shell.child.kill('SIGTERM');
      assert.equal(await exitWithin(shell, 30_000), 0);
      assert.deepEqual(
        shell
          .log()
          .filter((e) => e.event === 'app.quit')
          .map((e) => e.prevented),
        [true, false],
        'quit waits for the core to stop',
      );
      const events = shell.log().map((e) => e.event);
      assert.ok(events.lastIndexOf('utilityProcess.exit') < events.lastIndexOf('app.quit'), 'the core exited first');
      assert.equal(shell.log().find((e) => e.event === 'utilityProcess.exit')!.code, 0, 'a graceful stop');
      assert.ok(!shell.log().some((e) => e.event === 'utilityProcess.kill'), 'not killed');
      assert.equal(isAlive(pid), false);
      assert.equal(existsSync(serverInfo), false, 'the core stopped cleanly');
      assert.equal(
        (await fetch(`${url}/session`, { headers: header }).catch(() => null))?.status ?? null,
        null,
        'nothing listens any more',
      );
      assert.ok(!shell.log().some((e) => e.event === 'notification'), 'a quit is not a disconnection');
    } finally {
      await shell.cleanup();
    }
  },
);

test('Quit while the core is starting still waits for its graceful stop', { timeout: 60_000 }, async () => {
  const port = await findFreePort('127.0.0.1', 27_501);
  const shell = startShell(['--port', String(port), '--sandbox']);
  try {
    await shell.waitFor('the core process', (e) => e.event === 'utilityProcess.fork');
    shell.child.kill('SIGTERM');
    assert.equal(await exitWithin(shell, 30_000), 0);
    const exits = shell.log().filter((e) => e.event === 'utilityProcess.exit');
    assert.deepEqual(
      exits.map((e) => e.code),
      [0],
      'the core exited on its own, gracefully',
    );
    assert.ok(!shell.log().some((e) => e.event === 'utilityProcess.kill' || e.event === 'dialog.error'));
    assert.equal(existsSync(join(shell.dataDir, 'sandbox', 'server.json')), false);
  } finally {
    await shell.cleanup();
  }
});

test('a second instance leaves at once, without starting a core', { timeout: 60_000 }, async () => {
  const port = await findFreePort('127.0.0.1', 27_101);
  const shell = startShell(['--port', String(port), '--sandbox'], { STAND_IN_LOCK: 'taken' });
  try {
    assert.equal(await exitWithin(shell, 30_000), 0);
    assert.ok(!shell.log().some((e) => e.event === 'window.new' || e.event === 'tray.setImage'));
    assert.equal(existsSync(join(shell.dataDir, 'sandbox', 'server.json')), false);
  } finally {
    await shell.cleanup();
  }
});

test(
  'port taken: the shell asks, moves to the offered port, remembers it, and the tray and the dashboard say so',
  { timeout: 120_000 },
  async () => {
    const squatter: Server = createServer((_req, res) => res.end('not WaGate'));
    const port = await findFreePort('127.0.0.1', 27_201);
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    const shell = startShell(['--port', String(port), '--sandbox']);
    try {
      const asked = await shell.waitFor('the port dialog', (e) => e.event === 'dialog');
      assert.equal(asked.message, `Port ${port} is already in use`);
      const offered = Number(/^Use port (\d+)$/.exec((asked.buttons as string[])[0]!)?.[1]);
      assert.ok(offered > 0 && offered !== port);
      assert.deepEqual((asked.buttons as string[])[1], 'Quit');

      const loaded = await shell.waitFor('window load', (e) => e.event === 'window.loadURL');
      assert.equal(loaded.url, `http://127.0.0.1:${offered}`);
      assert.equal(JSON.parse(readFileSync(join(shell.dataDir, 'config.json'), 'utf8')).port, offered);
      const notice = `Port ${port} was taken, so the API is on port ${offered}.`;
      assert.ok(shell.log().some((e) => e.event === 'notification' && e.body === notice));
      assert.ok(shell.log().some((e) => e.event === 'tray.setContextMenu' && (e.labels as string[]).includes(notice)));
      const info = shell.log().find((e) => e.event === 'ipc.invoke')!.result as Record<string, unknown>;
      assert.equal(info.portNotice, notice);
      // Each attempt is a process of its own: the one that found the port taken stopped gracefully.
      const forks = shell.log().filter((e) => e.event === 'utilityProcess.fork');
      assert.equal(forks.length, 2);
      assert.deepEqual(
        shell
          .log()
          .filter((e) => e.event === 'utilityProcess.exit')
          .map((e) => e.code),
        [0],
      );
      assert.equal(corePid(shell), forks[1]!.pid);
    } finally {
      await shell.cleanup();
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  },
);

test(
  'with a keyring the credentials are sealed on disk and resume after a restart; after a keyring reset the user is asked, and linking again works',
  { timeout: 180_000 },
  async () => {
    const port = await findFreePort('127.0.0.1', 27_301);
    const args = ['--port', String(port), '--sandbox'];
    const keyring = { STAND_IN_KEYRING: randomBytes(32).toString('hex') };
    const first = startShell(args, keyring);
    const url = `http://127.0.0.1:${port}`;
    try {
      await first.waitFor('window load', (e) => e.event === 'window.loadURL');
      const info = first.log().find((e) => e.event === 'ipc.invoke')!.result as {
        credentialProtection: { protectedByOs: boolean };
      };
      assert.equal(info.credentialProtection.protectedByOs, true);
      const cookie = first.log().find((e) => e.event === 'cookie')!;
      // The window can load before Baileys has a QR code (the core listens first): the pairing icon says it is there.
      await first.waitFor('the pairing icon', (e) => e.event === 'tray.setImage' && e.file === 'pairing.png');
      await scanWithPhone(url, String(cookie.value));
      await first.waitFor('the linked icon', (e) => e.event === 'tray.setImage' && e.file === 'linked.png');
      if (process.platform === 'linux') {
        // The key went to the core over the channel: not in its command line or environment, which others can read.
        const key = unwrapKeyFile(join(first.dataDir, 'credentials.key'), keyring.STAND_IN_KEYRING);
        for (const file of ['cmdline', 'environ']) {
          const seen = readFileSync(`/proc/${corePid(first)}/${file}`);
          for (const form of [key.toString('base64'), key.toString('hex'), key.toString('base64url')])
            assert.ok(!seen.includes(form), `the key is in the core's ${file}`);
        }
      }
      first.child.kill('SIGTERM');
      assert.equal(await exitWithin(first, 30_000), 0);

      assert.ok(existsSync(join(first.dataDir, 'credentials.key')));
      const dbFile = join(first.dataDir, 'sandbox', 'wagate.db');
      const raw = readFileSync(dbFile);
      assert.ok(raw.includes(Buffer.from('wgc1:')), 'sealed rows');
      assert.ok(!raw.includes(Buffer.from('"noiseKey"')), 'no plaintext creds');

      const again = startShell(args, keyring, first.home);
      try {
        await again.waitFor(
          'the linked icon, without a new QR',
          (e) => e.event === 'tray.setImage' && e.file === 'linked.png',
        );
        assert.ok(!again.log().some((e) => e.event === 'dialog'));
        again.child.kill('SIGTERM');
        assert.equal(await exitWithin(again, 30_000), 0);
      } finally {
        await again.cleanup();
      }

      // The stand-in's dialog answers with the first button: "Forget it and link again".
      const reset = startShell(args, { STAND_IN_KEYRING: randomBytes(32).toString('hex') }, first.home);
      try {
        const asked = await reset.waitFor('the link-again question', (e) => e.event === 'dialog');
        assert.equal(asked.message, 'WaGate cannot open your saved WhatsApp link');
        assert.match(String(asked.detail), /keyring would not unlock/);
        await reset.waitFor('the pairing icon', (e) => e.event === 'tray.setImage' && e.file === 'pairing.png');
        assert.ok(
          !reset.log().some((e) => e.event === 'dialog.error'),
          'no failure after the user chose to link again',
        );
      } finally {
        await reset.cleanup();
      }
    } finally {
      await first.cleanup();
    }
  },
);

test(
  'a crash of the core is reported in the tray in plain words, the core restarts linked, and the window is logged in again',
  { timeout: 180_000 },
  async () => {
    const port = await findFreePort('127.0.0.1', 27_401);
    const shell = startShell(['--port', String(port), '--sandbox']);
    const url = `http://127.0.0.1:${port}`;
    try {
      await shell.waitFor('window load', (e) => e.event === 'window.loadURL');
      await shell.waitFor('the pairing icon', (e) => e.event === 'tray.setImage' && e.file === 'pairing.png');
      await scanWithPhone(url, String(shell.log().find((e) => e.event === 'cookie')!.value));
      await shell.waitFor('the linked icon', (e) => e.event === 'tray.setImage' && e.file === 'linked.png');
      const crashed = corePid(shell);

      process.kill(crashed, 'SIGKILL');
      const told = await shell.waitFor(
        'the crash in the tray',
        (e) => e.event === 'tray.setToolTip' && String(e.tooltip).includes('stopped unexpectedly'),
      );
      assert.equal(told.tooltip, 'WaGate: WaGate stopped unexpectedly: restarting…');
      const note = shell.log().find((e) => e.event === 'notification')!;
      assert.equal(note.title, 'WaGate stopped unexpectedly');
      assert.match(String(note.body), /Messages it had accepted are kept/);
      assert.equal(shell.log().find((e) => e.event === 'utilityProcess.exit')!.code, 9, 'SIGKILL');

      const crashAt = shell.log().findIndex((e) => e.event === 'tray.setToolTip' && e.tooltip === told.tooltip);
      await shell.waitFor(
        'linked again after the crash',
        (e) => e.event === 'tray.setImage' && e.file === 'linked.png',
        90_000,
        crashAt,
      );
      const forks = shell.log().filter((e) => e.event === 'utilityProcess.fork');
      assert.equal(forks.length, 2, 'one restart');
      assert.equal(corePid(shell), forks[1]!.pid);
      assert.notEqual(forks[1]!.pid, crashed);
      assert.ok(
        !shell.log().some((e) => e.event === 'dialog' || e.event === 'dialog.error'),
        'a first crash asks nothing',
      );

      // The window gets the restarted core's session in its cookie.
      const cookies = shell.log().filter((e) => e.event === 'cookie');
      assert.equal(cookies.length, 2);
      const header = { cookie: `wagate_admin=${String(cookies[1]!.value)}` };
      const session = await fetch(`${url}/session`, { headers: header });
      assert.equal(session.status, 200);
      assert.equal(((await session.json()) as { data: { state: string } }).data.state, 'connected');

      shell.child.kill('SIGTERM');
      assert.equal(await exitWithin(shell, 30_000), 0);
      assert.equal(shell.log().findLast((e) => e.event === 'utilityProcess.exit')!.code, 0, 'a graceful stop');
    } finally {
      await shell.cleanup();
    }
  },
);
