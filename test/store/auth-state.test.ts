import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabase, writeWithNext } from '../../server/store/database.ts';
import { BufferJSON, type AuthenticationCreds } from '@whiskeysockets/baileys';
import { createSqliteAuthState } from '../../server/store/auth-state.ts';
import {
  CredentialsLockedError,
  CredentialsUnreadableError,
  forgetCredentials,
  openSavedCredentials,
} from '../../server/store/saved-credentials.ts';
import { startCore } from '../../server/core.ts';
import { loadConfig } from '../../server/config.ts';
import { tempDir } from '../support/temp-dir.ts';

/** What pair-success leaves in the creds: the phone's signature over this device. */
const LINKED = {
  details: new Uint8Array([1, 2]),
  accountSignature: new Uint8Array([3]),
  deviceSignature: new Uint8Array([4]),
};
let dir: string;
before((t) => {
  dir = tempDir(t, 'wagate-auth-');
});

async function withAuth<T>(
  file: string,
  work: (auth: ReturnType<typeof createSqliteAuthState>) => T,
  key?: Buffer,
): Promise<Awaited<T>> {
  const db = openDatabase(join(dir, file));
  try {
    return await work(createSqliteAuthState(openSavedCredentials(db, key)));
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
    import { openSavedCredentials } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../../server/store/saved-credentials.ts')).href)};
    const auth = createSqliteAuthState(openSavedCredentials(openDatabase(${JSON.stringify(file)})));
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

test('session records and bytes are stored as the BufferJSON text they always were, whatever they hold', async () => {
  // libsignal's own form (every key a base64 string), then forms with bytes that take BufferJSON's replacer.
  const record = {
    _sessions: {
      BahK9efRL3: {
        registrationId: 6,
        currentRatchet: { rootKey: '01bDfpzygcIRGB9qBj0dajz41KuLrhXIPI5iO/nTb8A=', previousCounter: 0 },
        indexInfo: { baseKeyType: 2, closed: -1, used: 1796196257896 },
        _chains: { BfJqRbTS: { chainKey: { counter: 239, key: 'gh9Wc26d' }, chainType: 1, messageKeys: {} } },
        pendingPreKey: { signedKeyId: 1, preKeyId: 1 },
      },
    },
    version: 'v1',
  };
  const values: Record<string, unknown> = {
    libsignal: record,
    'nested buffer': { ...record, extra: Buffer.from([1, 2, 3]) },
    'nested bytes': { a: { b: [new Uint8Array([4, 5])] } },
    'empty buffer': { bytes: Buffer.alloc(0) },
    'bytes alone': new Uint8Array([6, 7]),
    'no bytes alone': new Uint8Array(0),
    'looks like a buffer': { type: 'Buffer', data: 'abc' },
    'first key zero': { '0': 'zero', '1': 'one' },
  };
  const bytes = Buffer.from('[{"senderKeyId":1,"senderChainKey":{"iteration":5}}]');
  const otherValues: Record<string, unknown> = {
    'a buffer': bytes,
    'bytes inside a larger buffer': Buffer.concat([Buffer.from('before'), bytes]).subarray(6),
    'a Uint8Array view with an offset': new Uint8Array(bytes.buffer, bytes.byteOffset + 2, 9),
    'no bytes': Buffer.alloc(0),
  };
  await withAuth('session-text.db', async (auth) => {
    await auth.state.keys.set({ session: values as never, 'sender-key': otherValues as never });
  });
  const db = openDatabase(join(dir, 'session-text.db'));
  try {
    const read = db.prepare('SELECT data FROM wa_keys WHERE type = ? AND id = ?');
    for (const [type, all] of [
      ['session', values],
      ['sender-key', otherValues],
    ] as const)
      for (const [id, value] of Object.entries(all))
        assert.equal((read.get(type, id) as { data: string }).data, JSON.stringify(value, BufferJSON.replacer), id);
  } finally {
    db.close();
  }
  await withAuth('session-text.db', async (auth) => {
    for (const [type, all] of [
      ['session', values],
      ['sender-key', otherValues],
    ] as const) {
      const back = await auth.state.keys.get(type, Object.keys(all));
      for (const [id, value] of Object.entries(all))
        assert.deepEqual(back[id], JSON.parse(JSON.stringify(value, BufferJSON.replacer), BufferJSON.reviver), id);
    }
  });
});

test('every stored text reads back as BufferJSON reads it, objects it takes for bytes included', async () => {
  const texts: Record<string, string> = {
    record: '{"_sessions":{"BahK":{"_chains":{"Bf":{"messageKeys":{},"chainKey":{"counter":3}}}}},"version":"v1"}',
    'message keys': '{"_chains":{"Bf":{"messageKeys":{"5":"a2V5","6":"a2V5"}}}}',
    buffer: '{"pub":{"type":"Buffer","data":"BQY="}}',
    'bytes as an object': '{"a":{"0":5,"1":6}}',
    'spaced index': '{"a":{" 7":8}}',
    'signed index': '{"a":{"+7":8,"-1":9}}',
    'escaped whitespace': '{"a":{"\\t7":8,"\\n8":9}}',
    'wide whitespace': '{"a":{"\u00a07":8,"\u30009":1}}',
    'digits then letters': '{"a":{"7abc":8}}',
    'strings under numeric keys': '{"a":{"7":"8"}}',
    'braces in strings': '{"a":"{","b":"x{"}',
    'numbers alone': '[1,2,{"3":4}]',
  };
  await withAuth('texts.db', () => undefined);
  const db = openDatabase(join(dir, 'texts.db'));
  const insert = db.prepare("INSERT INTO wa_keys (type, id, data) VALUES ('session', ?, ?)");
  for (const [id, text] of Object.entries(texts)) insert.run(id, text);
  db.close();
  await withAuth('texts.db', async (auth) => {
    const read = await auth.state.keys.get('session', Object.keys(texts));
    for (const [id, text] of Object.entries(texts))
      assert.deepEqual(read[id], JSON.parse(text, BufferJSON.reviver), `${id}: ${text}`);
  });
});

test('whoever a key write tells of the writes it carried (a receipt) already reads the keys it wrote', async () => {
  const db = openDatabase(join(dir, 'told.db'));
  try {
    const auth = createSqliteAuthState(openSavedCredentials(db));
    await auth.state.keys.set({ session: { a: new Uint8Array([1]) } });
    assert.deepEqual([...(await auth.state.keys.get('session', ['a']))['a']!], [1], 'kept in memory');
    // A receipt's status waits for the connection's next transaction; this key write carries it and tells after its
    // commit, inside keys.set: a listener then may read keys (or start what does) before keys.set returns.
    let seen: unknown;
    writeWithNext(
      db,
      () => undefined,
      () => {
        void Promise.resolve(auth.state.keys.get('session', ['a'])).then((found) => (seen = found['a']));
      },
      (error) => assert.fail(String(error)),
    );
    await auth.state.keys.set({ session: { a: new Uint8Array([2]) } });
    assert.deepEqual([...(seen as Uint8Array)], [2], 'the value just committed, not the one kept before');
  } finally {
    db.close();
  }
});

test('a key write that rolls back leaves nothing of itself in memory: reads give what the file holds', async () => {
  await withAuth('rollback.db', async (auth) => {
    await auth.state.keys.set({ session: { a: new Uint8Array([1]) } });
    const bomb = {
      toJSON() {
        throw new Error('cannot serialise');
      },
    };
    await assert.rejects(
      Promise.resolve(auth.state.keys.set({ session: { a: new Uint8Array([2]), b: bomb } } as never)),
      /cannot serialise/,
    );
    const read = await auth.state.keys.get('session', ['a', 'b']);
    assert.deepEqual([...read['a']!], [1], 'the value before the batch');
    assert.equal('b' in read, false);
  });
});

const asJson = (creds: AuthenticationCreds) => JSON.stringify(creds, BufferJSON.replacer);

/** The file as it lies on disk, WAL included: what someone who copies the data folder gets. */
function rawBytes(file: string): Buffer {
  const path = join(dir, file);
  return Buffer.concat([path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p)));
}

/** Every form a private key could take in the file: raw, hex, and base64 as BufferJSON writes it. */
function leaks(file: string, secret: Uint8Array): string[] {
  const bytes = rawBytes(file);
  const b = Buffer.from(secret);
  const forms = {
    raw: b,
    hex: Buffer.from(b.toString('hex')),
    base64: Buffer.from(b.toString('base64').replace(/=+$/, '')),
  };
  return Object.entries(forms)
    .filter(([, form]) => bytes.includes(form))
    .map(([name]) => name);
}

/** A linked device's creds and a few keys, the way a session leaves them. */
async function link(auth: ReturnType<typeof createSqliteAuthState>): Promise<string> {
  auth.state.creds.me = { id: '15559990000:7@s.whatsapp.net', name: 'Sim Owner' };
  auth.state.creds.account = LINKED;
  auth.saveCreds();
  await auth.state.keys.set({
    session: { 'user_1.0': new Uint8Array([1, 2, 3]) },
    'pre-key': { '1': { public: new Uint8Array([4, 5]), private: randomBytes(32) } },
    'app-state-sync-key': { AAA: { keyData: new Uint8Array([9]), timestamp: 5 } },
  });
  return asJson(auth.state.creds);
}

function sealedRows(file: string): { creds: string[]; keys: string[] } {
  const db = openDatabase(join(dir, file));
  try {
    const data = (sql: string) => (db.prepare(sql).all() as { data: string }[]).map((row) => row.data);
    return { creds: data('SELECT data FROM wa_creds'), keys: data('SELECT data FROM wa_keys') };
  } finally {
    db.close();
  }
}

test('with a key, no private key is anywhere in the file, and reopening with the key gives the same creds and keys', async () => {
  const key = randomBytes(32);
  let secrets: Uint8Array[] = [];
  const saved = await withAuth(
    'sealed.db',
    async (auth) => {
      const json = await link(auth);
      const preKey = (await auth.state.keys.get('pre-key', ['1']))['1']!;
      secrets = [
        auth.state.creds.noiseKey.private,
        auth.state.creds.signedIdentityKey.private,
        auth.state.creds.signedPreKey.keyPair.private,
        preKey.private,
      ];
      return json;
    },
    key,
  );
  for (const secret of secrets)
    assert.deepEqual(leaks('sealed.db', secret), [], 'no private key in the file or its WAL');
  assert.ok(!rawBytes('sealed.db').includes(Buffer.from('15559990000')), 'not even the phone number');
  const rows = sealedRows('sealed.db');
  assert.ok(
    [...rows.creds, ...rows.keys].every((data) => data.startsWith('wgc1:')),
    'every row is sealed',
  );
  await withAuth(
    'sealed.db',
    async (auth) => {
      assert.equal(auth.hasCreds(), true);
      assert.equal(asJson(auth.state.creds), saved, 'identical creds');
      assert.deepEqual(
        Buffer.from((await auth.state.keys.get('pre-key', ['1']))['1']!.private),
        Buffer.from(secrets[3]!),
      );
      assert.deepEqual([...(await auth.state.keys.get('session', ['user_1.0']))['user_1.0']!], [1, 2, 3]);
      assert.deepEqual([...((await auth.state.keys.get('app-state-sync-key', ['AAA']))['AAA']?.keyData ?? [])], [9]);
    },
    Buffer.from(key),
  );
});

test('plaintext creds written before encryption are sealed at the first start with a key, and their plaintext is gone from the file', async () => {
  let noise: Uint8Array = new Uint8Array();
  // Real Signal sessions run to kilobytes: more than a page, so SQLite frees whole overflow pages when they change.
  const bigSession = randomBytes(12_000);
  const saved = await withAuth('migrate.db', async (auth) => {
    const json = await link(auth);
    await auth.state.keys.set({ session: { big: bigSession } });
    noise = auth.state.creds.noiseKey.private;
    return json;
  });
  assert.deepEqual(leaks('migrate.db', noise), ['base64'], 'the check can fail: plaintext creds show the key');
  assert.deepEqual(leaks('migrate.db', bigSession.subarray(6000, 6096)), ['base64']);
  const key = randomBytes(32);
  await withAuth(
    'migrate.db',
    async (auth) => {
      assert.equal(asJson(auth.state.creds), saved);
      assert.deepEqual([...(await auth.state.keys.get('session', ['user_1.0']))['user_1.0']!], [1, 2, 3]);
    },
    key,
  );
  const rows = sealedRows('migrate.db');
  assert.equal(rows.keys.length, 4);
  assert.ok(
    [...rows.creds, ...rows.keys].every((data) => data.startsWith('wgc1:')),
    'every row is sealed',
  );
  assert.deepEqual(leaks('migrate.db', noise), [], 'no plaintext copy left in freed pages or the WAL');
  assert.deepEqual(leaks('migrate.db', bigSession.subarray(6000, 6096)), [], 'nor in freed overflow pages');
  await withAuth('migrate.db', (auth) => assert.equal(asJson(auth.state.creds), saved), key);
});

test('a process killed in the middle of sealing plaintext rows leaves them readable, and the next start seals them all', async () => {
  const file = join(dir, 'migrate-crash.db');
  const saved = await withAuth('migrate-crash.db', async (auth) => {
    const json = await link(auth);
    await auth.state.keys.set({
      session: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`s${i}`, new Uint8Array([i])])),
    });
    return json;
  });
  const key = randomBytes(32);
  // The fifth sealed key row written kills the process, inside the sealing transaction.
  const script = `
    import { openDatabase } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../../server/store/database.ts')).href)};
    import { createSqliteAuthState } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../../server/store/auth-state.ts')).href)};
    import { openSavedCredentials } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../../server/store/saved-credentials.ts')).href)};
    const db = openDatabase(${JSON.stringify(file)});
    const prepare = db.prepare.bind(db);
    db.prepare = (sql) => {
      const statement = prepare(sql);
      if (!sql.startsWith('INSERT INTO wa_keys')) return statement;
      let writes = 0;
      return new Proxy(statement, { get: (target, name) => name === 'run'
        ? (...args) => { if (++writes === 5) process.kill(process.pid, 'SIGKILL'); return target.run(...args); }
        : Reflect.get(target, name).bind?.(target) ?? Reflect.get(target, name) });
    };
    createSqliteAuthState(openSavedCredentials(db, Buffer.from(${JSON.stringify(key.toString('hex'))}, 'hex')));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
  assert.equal(child.signal, 'SIGKILL', child.stderr.toString());
  const rows = sealedRows('migrate-crash.db');
  assert.equal(rows.keys.length, 23);
  assert.ok(
    [...rows.creds, ...rows.keys].every((data) => !data.startsWith('wgc1:')),
    'nothing of the half-done sealing was committed',
  );
  await withAuth('migrate-crash.db', async (auth) => {
    assert.equal(asJson(auth.state.creds), saved, 'readable without the key, as before');
    assert.deepEqual([...(await auth.state.keys.get('session', ['s19']))['s19']!], [19]);
  });
  await withAuth(
    'migrate-crash.db',
    async (auth) => {
      assert.equal(asJson(auth.state.creds), saved);
      assert.deepEqual([...(await auth.state.keys.get('session', ['s19']))['s19']!], [19]);
    },
    key,
  );
  assert.ok(
    Object.values(sealedRows('migrate-crash.db'))
      .flat()
      .every((data) => data.startsWith('wgc1:')),
  );
});

test('a wrong key (the keyring was reset) is a clear error that changes nothing; forgetting the creds is the way out', async () => {
  const key = randomBytes(32);
  const saved = await withAuth('wrong-key.db', link, key);
  const before = sealedRows('wrong-key.db');
  await assert.rejects(
    withAuth('wrong-key.db', () => undefined, randomBytes(32)),
    (error) =>
      error instanceof CredentialsUnreadableError &&
      /cannot be decrypted: they were encrypted with another key .*keyring reset\. Forget them and link your phone again/.test(
        error.message,
      ),
  );
  assert.deepEqual(sealedRows('wrong-key.db'), before, 'nothing was changed or wiped');
  await withAuth('wrong-key.db', (auth) => assert.equal(asJson(auth.state.creds), saved), key);

  const db = openDatabase(join(dir, 'wrong-key.db'));
  forgetCredentials(db);
  db.close();
  await withAuth(
    'wrong-key.db',
    (auth) => {
      assert.equal(auth.hasCreds(), false, 'a fresh start: a new QR follows');
      auth.saveCreds();
    },
    randomBytes(32),
  );
});

test('a damaged sealed row under the right key is a clear error too', async () => {
  const key = randomBytes(32);
  await withAuth('damaged.db', link, key);
  const db = openDatabase(join(dir, 'damaged.db'));
  db.exec(`UPDATE wa_creds SET data = substr(data, 1, 40) || 'AAAA' || substr(data, 45)`);
  db.close();
  await assert.rejects(
    withAuth('damaged.db', () => undefined, key),
    (error) => error instanceof CredentialsUnreadableError && /damaged/.test(error.message),
  );
});

test("no key and sealed creds of a linked device (headless serve on the desktop app's data): the exact error, nothing wiped", async () => {
  await withAuth('locked.db', link, randomBytes(32));
  const before = sealedRows('locked.db');
  await assert.rejects(
    withAuth('locked.db', () => undefined),
    (error) => {
      assert.ok(error instanceof CredentialsLockedError);
      assert.equal(
        error.message,
        "These WhatsApp credentials are encrypted by the WaGate desktop app's OS keyring; run the desktop app, or log out there to use them headless",
      );
      return true;
    },
  );
  assert.deepEqual(sealedRows('locked.db'), before);
});

test('no key and the sealed creds of a device that is not linked (logged out in the desktop app): dropped, a new QR', async () => {
  await withAuth(
    'logged-out.db',
    async (auth) => {
      await link(auth);
      auth.clear();
      auth.saveCreds();
    },
    randomBytes(32),
  );
  assert.equal(sealedRows('logged-out.db').creds.length, 1);
  await withAuth('logged-out.db', (auth) => {
    assert.equal(auth.hasCreds(), false);
    auth.saveCreds();
  });
  assert.ok(!sealedRows('logged-out.db').creds[0]!.startsWith('wgc1:'), 'headless writes plaintext again');
});

test('wagate serve on a data dir with sealed creds refuses to start with that message, and leaves the port and the file alone', async () => {
  const dataDir = join(dir, 'headless');
  const config = loadConfig({ dataDir, port: 0, logLevel: 'silent' });
  const db = openDatabase(join(dataDir, 'wagate.db'));
  await link(createSqliteAuthState(openSavedCredentials(db, randomBytes(32))));
  db.close();
  await assert.rejects(startCore(config), CredentialsLockedError);
  const cli = spawnSync(
    process.execPath,
    [join(import.meta.dirname, '../../bin/wagate.js'), 'serve', '--data-dir', dataDir, '--port', '0'],
    {
      timeout: 20_000,
      env: { ...process.env, WAGATE_LOG: 'silent' },
    },
  );
  assert.notEqual(cli.status, 0);
  assert.match(
    cli.stderr.toString(),
    /These WhatsApp credentials are encrypted by the WaGate desktop app's OS keyring/,
  );
  assert.equal(existsSync(join(dataDir, 'server.json')), false, 'no server was started');
});
