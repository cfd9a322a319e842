import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addTransactionCapability,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from '@whiskeysockets/baileys';
import { keepLateKeyWrites } from '../../server/whatsapp/late-key-writes.ts';
import { silentLogger } from '../../server/logger.ts';

/** A store that says what reached it: the part of Baileys' key store under its transactions. */
function recordingStore() {
  const rows = new Map<string, unknown>();
  const store: SignalKeyStore = {
    get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
      const found: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids)
        if (rows.has(`${type}:${id}`)) found[id] = rows.get(`${type}:${id}`) as SignalDataTypeMap[T];
      return found;
    },
    set: async (data: SignalDataSet) => {
      for (const [type, entries] of Object.entries(data))
        for (const [id, value] of Object.entries(entries ?? {})) rows.set(`${type}:${id}`, value);
    },
  };
  return { rows, store };
}

/** Baileys' own transactions over it (as makeWASocket builds them), with or without the fix. */
function baileysKeys(fixed: boolean) {
  const { rows, store } = recordingStore();
  const keys = addTransactionCapability(store, silentLogger(), { maxCommitRetries: 1, delayBetweenTriesMs: 0 });
  if (fixed) keepLateKeyWrites(keys);
  return { rows, keys };
}

/** What Baileys' send does with a privacy token: a chain started in the transaction that writes once it has ended. */
async function writeAfterTheTransaction(keys: ReturnType<typeof baileysKeys>['keys']): Promise<void> {
  let later!: Promise<void>;
  await keys.transaction(async () => {
    await keys.set({ session: { alice: Buffer.from('ratchet') } });
    later = new Promise((resolve) => setTimeout(resolve, 5)).then(() =>
      keys.set({ tctoken: { alice: { token: Buffer.alloc(0), senderTimestamp: 1 } } }),
    );
  }, 'me');
  await later;
}

test("without the fix, Baileys loses a write made in a transaction's context after it committed", async () => {
  const { rows, keys } = baileysKeys(false);
  await writeAfterTheTransaction(keys);
  assert.ok(rows.has('session:alice'));
  assert.ok(!rows.has('tctoken:alice'), 'Baileys 7.0.0-rc14 no longer loses it: keepLateKeyWrites may go');
});

test('with it, the late write reaches the store, and a later read sees it', async () => {
  const { rows, keys } = baileysKeys(true);
  await writeAfterTheTransaction(keys);
  assert.deepEqual(rows.get('tctoken:alice'), { token: Buffer.alloc(0), senderTimestamp: 1 });
  assert.deepEqual(await keys.get('tctoken', ['alice']), { alice: { token: Buffer.alloc(0), senderTimestamp: 1 } });
});

test('inside an open transaction writes still wait for its commit, nested ones included', async () => {
  const { rows, keys } = baileysKeys(true);
  await keys.transaction(async () => {
    await keys.set({ session: { bob: Buffer.from('a') } });
    await keys.transaction(async () => keys.set({ session: { carol: Buffer.from('b') } }), 'me');
    assert.ok(!rows.has('session:bob') && !rows.has('session:carol'), 'written before the commit');
    assert.deepEqual(await keys.get('session', ['carol']), { carol: Buffer.from('b') });
  }, 'me');
  assert.ok(rows.has('session:bob') && rows.has('session:carol'));
});
