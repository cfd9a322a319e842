import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir.ts';
import { eventually } from '../support/waits.ts';

/**
 * The real OS keyring: a throwaway gnome-keyring (a Secret Service) on a private D-Bus session, in a HOME of its own.
 * The desktop app's side (safeStorage) is a stand-in; @napi-rs/keyring, the Secret Service and `wagate serve` are real.
 * Without dbus-run-session and gnome-keyring-daemon (.ci/run installs them) the test is skipped and says so.
 */

const ROOT = new URL('../../', import.meta.url).pathname;
const NODE = join(ROOT, 'node_modules/.bin/node');
const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const missing = ['dbus-run-session', 'gnome-keyring-daemon'].filter((c) => !has(c));

/** `command` inside a new D-Bus session with an unlocked keyring of HOME; the keyring's file outlives the session. */
function inKeyringSession(home: string, command: string) {
  return spawn(
    'dbus-run-session',
    [
      '--',
      'sh',
      '-c',
      `printf wagate | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec ${command}`,
    ],
    {
      env: { PATH: process.env.PATH, HOME: home, WAGATE_LOG: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
}

/** The desktop app of before: a key wrapped by (a stand-in of) safeStorage, linked creds sealed with it; then the app
 * starts with the shared keyring and moves the key there. */
const DESKTOP_SCRIPT = `
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openOsKeyring } from '${ROOT}server/credentials/os-keyring.ts';
import { loadCredentialKey } from '${ROOT}electron/credential-key.ts';
import { openDatabase } from '${ROOT}server/store/database.ts';
import { createSqliteAuthState } from '${ROOT}server/store/auth-state.ts';
import { openSavedCredentials } from '${ROOT}server/store/saved-credentials.ts';
const dataDir = process.argv[2];
const safeStorage = {
  isEncryptionAvailable: () => true,
  encryptString: (text) => Buffer.from('v11' + Buffer.from(text).toString('hex')),
  decryptString: (data) => Buffer.from(data.toString().slice(3), 'hex').toString(),
};
const key = randomBytes(32);
writeFileSync(join(dataDir, 'credentials.key'), safeStorage.encryptString(key.toString('base64')), { mode: 0o600 });
const db = openDatabase(join(dataDir, 'wagate.db'));
const auth = createSqliteAuthState(openSavedCredentials(db, key));
auth.state.creds.me = { id: '15559990000:7@s.whatsapp.net' };
auth.state.creds.account = { details: new Uint8Array([1]), accountSignature: new Uint8Array([2]), deviceSignature: new Uint8Array([3]) };
auth.saveCreds();
db.close();
const keyring = openOsKeyring();
const loaded = loadCredentialKey({ safeStorage, protectedByOs: true, dataDir, keyring });
console.log(JSON.stringify({ keyring: keyring?.name ?? null, same: loaded.key?.equals(key) ?? false, storage: loaded.storage }));
`;

function collect(child: ReturnType<typeof spawn>): { out: () => string; exited: Promise<number | null> } {
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { out: () => out, exited: new Promise((resolve) => child.on('exit', resolve)) };
}

test(
  'a desktop folder moves its key into the real Secret Service, and `wagate serve` in a later session opens it from there',
  { skip: missing.length > 0 ? `not installed here: ${missing.join(', ')}` : false },
  async (t) => {
    const home = tempDir(t, 'wagate-keyring-home-');
    const dataDir = join(home, 'WaGate');
    mkdirSync(dataDir, { mode: 0o700 });
    const script = join(home, 'desktop.mts');
    writeFileSync(script, DESKTOP_SCRIPT);

    const desktop = collect(inKeyringSession(home, `${NODE} ${script} ${dataDir}`));
    assert.equal(await desktop.exited, 0, desktop.out());
    const result = JSON.parse(desktop.out().trim().split('\n').at(-1)!);
    assert.deepEqual(result, {
      keyring: 'Secret Service',
      same: true,
      storage: { kind: 'keyring', keyring: 'Secret Service' },
    });
    const pointer = JSON.parse(readFileSync(join(dataDir, 'credentials.key'), 'utf8'));
    assert.equal(pointer.keyring, 'Secret Service');

    // A new D-Bus session, as after a reboot: the key comes from the keyring's file, not from a process.
    const child = inKeyringSession(home, `${NODE} ${ROOT}bin/wagate.js serve --port 0 --data-dir ${dataDir}`);
    const serve = collect(child);
    t.after(() => {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    });
    await eventually(() => /Credentials: /.test(serve.out()), 'the banner', 30_000).catch(() => {
      throw new Error(serve.out());
    });
    assert.match(serve.out(), /Credentials: encrypted, the key in the system keyring \(Secret Service\)/);
    process.kill(-child.pid!, 'SIGTERM');
    await serve.exited;
  },
);
