import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Curve } from '@whiskeysockets/baileys';
import { silentLogger } from '../../server/logger.ts';
import { migrate, openDatabase } from '../../server/store/database.ts';
import { upTo } from '../support/migrations.ts';
import { startSimulator } from '../../server/sandbox/simulator.ts';
import { SANDBOX_MIGRATIONS, createSandboxStore } from '../../server/sandbox/store.ts';
import { tempDir } from '../support/temp-dir.ts';

const legacy = (buf: Uint8Array) => ({ $b: Buffer.from(buf).toString('base64') });

test('a sandbox folder from before BufferJSON keeps its keys and inboxes', async (t) => {
  const dir = tempDir(t, 'wagate-sandbox-store-');
  const pair = () => {
    const { public: pub, private: priv } = Curve.generateKeyPair();
    return { public: legacy(pub), private: legacy(priv) };
  };
  const keys = { root: pair(), intermediate: pair(), static: pair() };
  const db = openDatabase(join(dir, 'sandbox', 'sandbox.db'));
  migrate(db, upTo(SANDBOX_MIGRATIONS, 1));
  db.prepare('INSERT INTO sandbox_kv (key, value) VALUES (?, ?)').run('server-keys', JSON.stringify(keys));
  db.prepare('INSERT INTO sandbox_inbox (number, entry) VALUES (?, ?)').run(
    '15550001111',
    JSON.stringify({ message_id: 'M1', text: 'hi', raw: legacy(Buffer.from('abc')) }),
  );
  db.close();

  const store = createSandboxStore(dir);
  const [row] = store.inbox<{ message_id: string; raw: Buffer }>('15550001111');
  assert.equal(row?.entry.message_id, 'M1');
  assert.deepEqual(row?.entry.raw, Buffer.from('abc'));
  store.close();

  const sim = await startSimulator({ dataDir: dir, logger: silentLogger() });
  const rootKey = sim.rootPublicKey;
  await sim.close();
  assert.equal(rootKey, keys.root.public.$b, 'clients that trusted the root keep trusting it');
});

test('values come back as they were stored, Buffers included', (t) => {
  const dir = tempDir(t, 'wagate-sandbox-store-');
  const store = createSandboxStore(dir);
  const value = { key: Buffer.from([1, 2, 3]), nested: { list: [Buffer.from('x')] }, n: 5, s: 'text' };
  store.set('contact:1', value);
  store.set('contact:2', { n: 2 });
  store.set('phone', { n: 3 });
  assert.deepEqual(store.get('contact:1'), value);
  assert.deepEqual(store.keys('contact:'), ['contact:1', 'contact:2']);
  store.delete('contact:2');
  assert.equal(store.get('contact:2'), undefined);
  const seq = store.appendInbox('1555', { a: 1 });
  store.updateInbox(seq, { a: 2 });
  assert.deepEqual(store.inboxEntry(seq), { a: 2 });
  store.close();
});

test("an inbox entry is found by its message id through an index, without reading the contact's whole inbox", (t) => {
  const dir = tempDir(t, 'wagate-sandbox-store-');
  const store = createSandboxStore(dir);
  for (let i = 0; i < 3; i++) store.appendInbox('1555', { message_id: `M${i}`, text: `hi ${i}` });
  store.appendInbox('1666', { message_id: 'M1', text: 'another contact' });
  assert.equal(store.hasInbox('1555'), true);
  assert.equal(store.hasInbox('1777'), false);
  const found = store.inboxMessage<{ text: string }>('1555', 'M1');
  assert.equal(found?.entry.text, 'hi 1');
  store.updateInbox(found!.seq, { message_id: 'M1', text: 'edited' });
  assert.equal(store.inboxMessage<{ text: string }>('1555', 'M1')?.entry.text, 'edited');
  assert.equal(store.inboxMessage('1555', 'M9'), undefined);
  store.close();
  const db = openDatabase(join(dir, 'sandbox', 'sandbox.db'));
  const plan = db
    .prepare('EXPLAIN QUERY PLAN SELECT seq, entry FROM sandbox_inbox WHERE number = ? AND message_id = ? ORDER BY seq')
    .all() as { detail: string }[];
  assert.match(plan[0]!.detail, /^SEARCH sandbox_inbox USING INDEX sandbox_inbox_message/);
  db.close();
});
