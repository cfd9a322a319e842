import { AsyncLocalStorage } from 'node:async_hooks';
import type { SignalKeyStoreWithTransaction } from '@whiskeysockets/baileys';

/** Taken as this module loads, before any socket exists: a call run in it is outside every key transaction. */
const outside = AsyncLocalStorage.snapshot();

/**
 * Baileys keeps a key transaction's reads and writes in the transaction's async context until it commits, and a promise
 * chain started inside one keeps that context after the commit: its writes land in a transaction already written, and
 * are lost; its reads see that transaction's cache. Baileys 7.0.0-rc14 does this after every message to a contact: it
 * issues the contact its privacy token in such a chain and records the issue there, so the record never reached the
 * store and the next message issued another (WhatsApp Web issues one a week). Here a transaction's context ends with
 * its work: whatever a chain started in it reads or writes later runs as if called from outside it.
 */
export function keepLateKeyWrites(keys: SignalKeyStoreWithTransaction): void {
  const current = new AsyncLocalStorage<{ open: boolean }>();
  const ended = () => current.getStore()?.open === false;
  const { get, set, transaction } = keys;

  keys.get = (type, ids) => (ended() ? outside(() => keys.get(type, ids)) : get(type, ids));
  keys.set = (data) => (ended() ? outside(() => keys.set(data)) : set(data));
  keys.transaction = (work, key) => {
    if (ended()) return outside(() => keys.transaction(work, key));
    // Nested in an open one: Baileys runs it in that one.
    if (current.getStore()) return transaction(work, key);
    const context = { open: true };
    return current.run(context, () =>
      transaction(async () => {
        try {
          return await work();
        } finally {
          context.open = false;
        }
      }, key),
    );
  };
}
