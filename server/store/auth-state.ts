import { BufferJSON, initAuthCreds, proto } from '@whiskeysockets/baileys';
import type {
  AuthenticationCreds,
  AuthenticationState,
  SignalDataSet,
  SignalDataTypeMap,
} from '@whiskeysockets/baileys';
import { transaction } from './database.ts';
import { isSealed } from './credential-cipher.ts';
import {
  CREDS_CONTEXT,
  CredentialsLockedError,
  isLinked,
  keyContext,
  type SavedCredentials,
} from './saved-credentials.ts';

export interface SqliteAuthState {
  /** What Baileys' `makeWASocket({ auth })` takes; `creds` is replaced by `clear()`, so read it from here each time. */
  state: AuthenticationState;
  saveCreds(): void;
  /** True when the stored credentials belong to a linked device, so a start resumes without a QR. */
  hasCreds(): boolean;
  /** Forgets the linked device: stored creds and Signal keys go, and fresh creds are ready for a new QR. */
  clear(): void;
}

const serialise = (value: unknown): string => JSON.stringify(value, BufferJSON.replacer);

/**
 * Where BufferJSON's reviver could turn an object into bytes: `{"type":"Buffer",…}`, or an object whose first key may
 * parse as an integer (whitespace, a sign, a digit, or an escape first: the reviver takes such an object, all numbers,
 * for a Uint8Array's JSON). Every stored text was made by JSON.stringify, which writes both exactly so.
 */
const MAY_HOLD_BYTES = /"type":"Buffer"|\{"[\s+\-\d\\]/;

/** BufferJSON's reading; without its reviver (called for every value) when the text holds nothing it would change. */
const deserialise = (text: string): unknown =>
  MAY_HOLD_BYTES.test(text) ? JSON.parse(text, BufferJSON.reviver) : JSON.parse(text);

/**
 * A Signal session record in the same BufferJSON text, made without BufferJSON's replacer: a replacer is called back
 * for every property (~100 in a record), ~3x the cost of the native stringify, and two records change with every send.
 * libsignal serialises its records itself, every key a base64 string (no bytes), and for such a value both give the
 * same text. Bytes would show in the plain text (a Buffer's own toJSON writes `"type":"Buffer"`, any other
 * Uint8Array an object whose first key is `"0"`; neither can appear inside a JSON string): then BufferJSON's way.
 */
function serialiseSession(value: unknown): string {
  if (ArrayBuffer.isView(value)) return serialise(value);
  const plain = JSON.stringify(value);
  return plain.includes('"type":"Buffer"') || plain.includes('{"0":') ? serialise(value) : plain;
}

/**
 * Bytes (a group's sender key record with every group send, an identity key) in the text BufferJSON's replacer makes of
 * them, without a Buffer's toJSON first building an array of every byte: 12-29 -> 1-2 us for a sender key.
 */
const bytesText = (bytes: Uint8Array): string =>
  `{"type":"Buffer","data":"${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}"}`;

const serialiseKey = (type: string, value: unknown): string => {
  if (value instanceof Uint8Array) return bytesText(value);
  return type === 'session' ? serialiseSession(value) : serialise(value);
};

/** How many keys `recentKeys` keeps: a send reads a few (its recipients' sessions, tokens, LIDs). */
const RECENT_KEYS = 256;

/**
 * The keys read or written last, as Baileys holds them (its own key cache does the same: it never changes a value it
 * was given), so a send does not read and decode the same session records from the file each time (~6 reads a send,
 * ~0.25 ms). Kept in step with the file: set as a write runs, all dropped when a write rolls back. A key found
 * missing is remembered too. Pre-keys (read once each, at a new session) and app-state keys (rebuilt as protobufs on
 * each read) are not kept.
 */
function recentKeys() {
  const keeps = (type: keyof SignalDataTypeMap) => type !== 'pre-key' && type !== 'app-state-sync-key';
  const kept = new Map<string, unknown>();
  const keep = (key: string, value: unknown) => {
    kept.delete(key);
    kept.set(key, value);
    if (kept.size > RECENT_KEYS) kept.delete(kept.keys().next().value!);
  };
  return {
    get(type: keyof SignalDataTypeMap, id: string, read: () => unknown): unknown {
      if (!keeps(type)) return read();
      const key = `${type}\u0000${id}`;
      if (kept.has(key)) return kept.get(key);
      const value = read();
      keep(key, value);
      return value;
    },
    set(type: keyof SignalDataTypeMap, id: string, value: unknown): void {
      if (keeps(type)) keep(`${type}\u0000${id}`, value ?? undefined);
    },
    clear: () => kept.clear(),
  };
}

/**
 * Baileys' credentials and Signal keys in WaGate's SQLite file, from credentials `openSavedCredentials` checked.
 * Every write is one transaction, so a crash in the middle of a batch of keys leaves the previous, consistent set
 * (never half a ratchet). With a key every value is sealed (credential-cipher.ts); without one, values are plaintext.
 */
export function createSqliteAuthState(
  { db, cipher }: SavedCredentials,
  /** Resolves once every commit so far is on disk: group-commit.ts's for the core's connection; `each` needs none. */
  durable: () => Promise<void> = () => Promise.resolve(),
): SqliteAuthState {
  const readCreds = db.prepare('SELECT data, linked FROM wa_creds WHERE id = 1');
  const writeCreds = db.prepare(
    'INSERT INTO wa_creds (id, data, linked) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data, linked = excluded.linked',
  );
  const readKey = db.prepare('SELECT data FROM wa_keys WHERE type = ? AND id = ?');
  const writeKey = db.prepare(
    'INSERT INTO wa_keys (type, id, data) VALUES (?, ?, ?) ON CONFLICT (type, id) DO UPDATE SET data = excluded.data',
  );
  const deleteKey = db.prepare('DELETE FROM wa_keys WHERE type = ? AND id = ?');

  const seal = (text: string, context: string) => (cipher ? cipher.seal(text, context) : text);
  const decode = (stored: string, context: string): unknown => {
    if (!isSealed(stored)) return deserialise(stored);
    if (!cipher) throw new CredentialsLockedError();
    return deserialise(cipher.open(stored, context));
  };
  const storeCreds = (creds: AuthenticationCreds) =>
    writeCreds.run(seal(serialise(creds), CREDS_CONTEXT), isLinked(creds) ? 1 : 0);

  const loadCreds = (): AuthenticationCreds | null => {
    const row = readCreds.get() as { data: string } | undefined;
    return row ? (decode(row.data, CREDS_CONTEXT) as AuthenticationCreds) : null;
  };

  const recent = recentKeys();

  function readKeyNow(type: keyof SignalDataTypeMap, id: string): unknown {
    const row = readKey.get(type, id) as { data: string } | undefined;
    if (!row) return undefined;
    const value = decode(row.data, keyContext(type, id));
    return type === 'app-state-sync-key' ? proto.Message.AppStateSyncKeyData.fromObject(value as object) : value;
  }

  function getKeys<T extends keyof SignalDataTypeMap>(type: T, ids: string[]): { [id: string]: SignalDataTypeMap[T] } {
    const found: { [id: string]: SignalDataTypeMap[T] } = {};
    for (const id of ids) {
      const value = recent.get(type, id, () => readKeyNow(type, id));
      if (value !== undefined) found[id] = value as SignalDataTypeMap[T];
    }
    return found;
  }

  /**
   * Resolves once the keys are on disk. Baileys awaits it at the end of its key transaction, so a send (and the next
   * one, which waits for that transaction's lock) goes on only with the ratchet it moved durable.
   */
  async function setKeys(data: SignalDataSet): Promise<void> {
    try {
      // Kept in memory as each is written, so that whoever the commit tells of the writes it carried (a receipt's
      // status, database.ts's writeWithNext) reads these keys already.
      transaction(db, () => {
        for (const [type, entries] of Object.entries(data)) {
          for (const [id, value] of Object.entries(entries ?? {})) {
            if (value === null || value === undefined) deleteKey.run(type, id);
            else writeKey.run(type, id, seal(serialiseKey(type, value), keyContext(type, id)));
            recent.set(type as keyof SignalDataTypeMap, id, value);
          }
        }
      });
    } catch (error) {
      // Rolled back: what is kept in memory may no longer be what the file holds.
      recent.clear();
      throw error;
    }
    await durable();
  }

  const state: AuthenticationState = {
    creds: loadCreds() ?? initAuthCreds(),
    keys: {
      get: getKeys,
      set: setKeys,
      clear: () => {
        db.exec('DELETE FROM wa_keys');
        recent.clear();
      },
    },
  };

  return {
    state,
    saveCreds: () => transaction(db, () => void storeCreds(state.creds)),
    hasCreds: () => isLinked(loadCreds()),
    clear() {
      transaction(db, () => db.exec('DELETE FROM wa_keys; DELETE FROM wa_creds'));
      recent.clear();
      state.creds = initAuthCreds();
    },
  };
}
