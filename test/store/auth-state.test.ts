import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabase } from '../../server/store/database.ts';
import { createSqliteAuthState } from '../../server/store/auth-state.ts';

/** What pair-success leaves in the creds: the phone's signature over this device. */
const LINKED = { details: new Uint8Array([1, 2]), accountSignature: new Uint8Array([3]), deviceSignature: new Uint8Array([4]) };
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'wagate-auth-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function withAuth<T>(file: string, work: (auth: ReturnType<typeof createSqliteAuthState>) => T): Promise<Awaited<T>> {
  const db = openDatabase(join(dir, file));
  try {
    return await work(createSqliteAuthState(db));
  } finally {
    db.close();
  }
}

test('creds and keys survive reopening the same file, buffers intact', async () => {
  const saved = await withAuth('reopen.db', (auth) => {
    assert.equal(auth.hasCreds(), false);
    auth.state.creds.me = { id: '15559990000:7@s.whatsapp.net', name: 'Sim Owner' };
    auth.saveCreds();
    assert.equal(auth.hasCreds(), false, 'a number alone (pairing-code request) is not a linked device');
    auth.state.creds.account = LINKED;
    auth.saveCreds();
    auth.state.keys.set({
      session: { 'user_1.0': new Uint8Array([1, 2, 3]) },
      'pre-key': { '1': { public: new Uint8Array([4, 5]), private: new Uint8Array([6, 7]) } },
      'app-state-sync-key': { AAA: { keyData: new Uint8Array([9]), timestamp: 5 } },
    });
    return structuredClone(auth.state.creds);
  });
  await withAuth('reopen.db', async (auth) => {
    assert.equal(auth.hasCreds(), true);
    assert.equal(auth.state.creds.me?.id, '15559990000:7@s.whatsapp.net');
    assert.deepEqual(
      Buffer.from(auth.state.creds.noiseKey.private),
      Buffer.from(saved.noiseKey.private),
      'the noise key is the same key, not a new one',
    );
    assert.equal(auth.state.creds.registrationId, saved.registrationId);
    assert.deepEqual([...(auth.state.creds.account?.details ?? [])], [1, 2]);
    const sessions = await auth.state.keys.get('session', ['user_1.0', 'missing']);
    assert.deepEqual([...sessions['user_1.0']!], [1, 2, 3]);
    assert.equal('missing' in sessions, false);
    const preKeys = await auth.state.keys.get('pre-key', ['1']);
    assert.deepEqual([...preKeys['1']!.private], [6, 7]);
    const appKey = (await auth.state.keys.get('app-state-sync-key', ['AAA']))['AAA'];
    assert.deepEqual([...(appKey?.keyData ?? [])], [9]);
  });
});

test('a null value deletes a key; clear() forgets the device and offers fresh creds', async () => {
  await withAuth('clear.db', async (auth) => {
    auth.state.creds.me = { id: '15559990000:7@s.whatsapp.net' };
    auth.state.creds.account = LINKED;
    auth.saveCreds();
    await auth.state.keys.set({ session: { a: new Uint8Array([1]), b: new Uint8Array([2]) } });
    await auth.state.keys.set({ session: { a: null } });
    assert.deepEqual(Object.keys(await auth.state.keys.get('session', ['a', 'b'])), ['b']);
    const oldNoise = Buffer.from(auth.state.creds.noiseKey.public);
    auth.clear();
    assert.equal(auth.hasCreds(), false);
    assert.equal(auth.state.creds.me, undefined);
    assert.notDeepEqual(Buffer.from(auth.state.creds.noiseKey.public), oldNoise);
    assert.deepEqual(await auth.state.keys.get('session', ['b']), {});
  });
  await withAuth('clear.db', (auth) => assert.equal(auth.hasCreds(), false));
});

test('a process killed in the middle of writing keys loses nothing that was committed, and writes no half batch', async () => {
  const file = join(dir, 'crash.db');
  await withAuth('crash.db', (auth) => {
    auth.state.creds.me = { id: '15559990000:7@s.whatsapp.net' };
    auth.state.creds.account = LINKED;
    auth.saveCreds();
    auth.state.keys.set({ session: { old: new Uint8Array([1]) } });
  });
  // The third value's serialisation kills the process after two rows of the batch were written.
  const script = `
    import { openDatabase } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../../server/store/database.ts')).href)};
    import { createSqliteAuthState } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../../server/store/auth-state.ts')).href)};
    const auth = createSqliteAuthState(openDatabase(${JSON.stringify(file)}));
    const bomb = { toJSON() { process.kill(process.pid, 'SIGKILL'); } };
    auth.state.keys.set({ session: { new0: new Uint8Array([4]) } });
    auth.state.keys.set({ session: { old: new Uint8Array([2]), new1: new Uint8Array([3]), new2: bomb } });
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
  assert.equal(child.signal, 'SIGKILL', child.stderr.toString());
  await withAuth('crash.db', async (auth) => {
    assert.equal(auth.hasCreds(), true);
    const keys = await auth.state.keys.get('session', ['old', 'new0', 'new1', 'new2']);
    assert.deepEqual(Object.keys(keys), ['old', 'new0'], 'the batch committed before the crash is there');
    assert.deepEqual([...keys['old']!], [1]);
  });
});
