import { BufferJSON, initAuthCreds, proto } from '@whiskeysockets/baileys';
import type {
  AuthenticationCreds,
  AuthenticationState,
  SignalDataSet,
  SignalDataTypeMap,
} from '@whiskeysockets/baileys';
import type { Database } from './database.ts';
import { migrate, type Migrations, transaction } from './database.ts';
import { createCredentialCipher, CredentialDecryptError, isSealed, SEALED_PREFIX } from './credential-cipher.ts';

export const AUTH_STATE_MIGRATIONS: Migrations = {
  part: 'auth_state',
  formerly: 'auth-state',
  steps: {
    0: 'CREATE TABLE wa_creds (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL)',
    1: 'CREATE TABLE wa_keys (type TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (type, id))',
    // In the clear beside sealed creds: whether they belong to a linked device, so a process without the key can
    // tell creds worth keeping from the throwaway ones of a device that was never linked (or was logged out).
    2: 'ALTER TABLE wa_creds ADD COLUMN linked INTEGER NOT NULL DEFAULT 0',
  },
};

/** The stored credentials exist but this process cannot use them; nothing was changed. */
export class CredentialsUnavailableError extends Error {}

/** Sealed credentials of a linked device, and no key to open them (headless `wagate serve`, or no OS keyring). */
export class CredentialsLockedError extends CredentialsUnavailableError {
  constructor() {
    super(
      "These WhatsApp credentials are encrypted by the WaGate desktop app's OS keyring; run the desktop app, or log out there to use them headless",
    );
  }
}

/** Sealed credentials of a linked device that the given key cannot open: the keyring's key changed, or they are damaged. */
export class CredentialsUnreadableError extends CredentialsUnavailableError {
  constructor(reason: string) {
    super(
      `The saved WhatsApp credentials cannot be decrypted: ${reason}. Forget them and link your phone again (then remove the old WaGate entry under Linked devices on the phone).`,
    );
  }
}

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
const deserialise = (text: string): unknown => JSON.parse(text, BufferJSON.reviver);
// `me` alone is set early by a pairing-code request; only pair-success brings the signed `account`.
const isLinked = (creds: AuthenticationCreds | null): boolean => Boolean(creds?.me?.id && creds.account);

const CREDS = 'creds';
const keyContext = (type: string, id: string) => `key/${type}/${id}`;
const SEALED = `${SEALED_PREFIX}%`;

/** Forgets the stored WhatsApp link whatever state it is in, for a user who chose to link again. */
export function forgetCredentials(db: Database): void {
  migrate(db, AUTH_STATE_MIGRATIONS);
  transaction(db, () => db.exec('DELETE FROM wa_keys; DELETE FROM wa_creds'));
}

/**
 * Baileys' credentials and Signal keys in WaGate's SQLite file. Every write is one transaction, so a crash in the
 * middle of a batch of keys leaves the previous, consistent set (never half a ratchet).
 *
 * With a 32-byte `key` every value is sealed (credential-cipher.ts), and plaintext rows from before are sealed at
 * once. Without one, values are plaintext. Sealed creds of a linked device that cannot be opened stop the start
 * with a CredentialsUnavailableError and are left as they are; sealed leftovers of an unlinked device are dropped.
 */
export function createSqliteAuthState(db: Database, key?: Buffer | null): SqliteAuthState {
  migrate(db, AUTH_STATE_MIGRATIONS);
  const cipher = key ? createCredentialCipher(key) : null;
  const readCreds = db.prepare('SELECT data, linked FROM wa_creds WHERE id = 1');
  const writeCreds = db.prepare(
    'INSERT INTO wa_creds (id, data, linked) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data, linked = excluded.linked',
  );
  const readKey = db.prepare('SELECT data FROM wa_keys WHERE type = ? AND id = ?');
  const writeKey = db.prepare(
    'INSERT INTO wa_keys (type, id, data) VALUES (?, ?, ?) ON CONFLICT (type, id) DO UPDATE SET data = excluded.data',
  );
  const deleteKey = db.prepare('DELETE FROM wa_keys WHERE type = ? AND id = ?');

  const encode = (value: unknown, context: string) =>
    cipher ? cipher.seal(serialise(value), context) : serialise(value);
  const decode = (stored: string, context: string): unknown => {
    if (!isSealed(stored)) return deserialise(stored);
    if (!cipher) throw new CredentialsLockedError();
    return deserialise(cipher.open(stored, context));
  };
  const storeCreds = (creds: AuthenticationCreds) => writeCreds.run(encode(creds, CREDS), isLinked(creds) ? 1 : 0);

  const loadCreds = (): AuthenticationCreds | null => {
    const row = readCreds.get() as { data: string } | undefined;
    return row ? (decode(row.data, CREDS) as AuthenticationCreds) : null;
  };

  function getKeys<T extends keyof SignalDataTypeMap>(type: T, ids: string[]): { [id: string]: SignalDataTypeMap[T] } {
    const found: { [id: string]: SignalDataTypeMap[T] } = {};
    for (const id of ids) {
      const row = readKey.get(type, id) as { data: string } | undefined;
      if (!row) continue;
      const value = decode(row.data, keyContext(type, id));
      found[id] = (
        type === 'app-state-sync-key' ? proto.Message.AppStateSyncKeyData.fromObject(value as object) : value
      ) as SignalDataTypeMap[T];
    }
    return found;
  }

  function setKeys(data: SignalDataSet): void {
    transaction(db, () => {
      for (const [type, entries] of Object.entries(data)) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          if (value === null || value === undefined) deleteKey.run(type, id);
          else writeKey.run(type, id, encode(value, keyContext(type, id)));
        }
      }
    });
  }

  const countLike = db.prepare(
    'SELECT (SELECT COUNT(*) FROM wa_creds WHERE data LIKE ?1) + (SELECT COUNT(*) FROM wa_keys WHERE data LIKE ?1) AS n',
  );
  const sealedWith = (prefix: string) => (countLike.get(`${prefix}%`) as { n: number }).n;

  /** The reason the sealed rows cannot be opened here, or null when they can (or there are none). */
  function whyUnreadable(): string | null {
    const sealed = sealedWith(SEALED_PREFIX);
    if (sealed === 0) return null;
    if (!cipher) return 'no key';
    if (sealedWith(`${SEALED_PREFIX}${cipher.keyId}:`) < sealed)
      return 'they were encrypted with another key than the one the OS keyring gives WaGate now, as after a keyring reset';
    try {
      loadCreds();
      return null;
    } catch (error) {
      if (error instanceof CredentialDecryptError) return 'they are damaged';
      throw error;
    }
  }

  /** Sealed rows this process cannot open: kept (and the start refused) for a linked device, dropped otherwise. */
  function settleUnreadable(): void {
    const reason = whyUnreadable();
    if (reason === null) return;
    const row = readCreds.get() as { data: string; linked: number } | undefined;
    if (row && isSealed(row.data) && row.linked === 1)
      throw cipher ? new CredentialsUnreadableError(reason) : new CredentialsLockedError();
    transaction(db, () => {
      db.prepare('DELETE FROM wa_keys WHERE data LIKE ?').run(SEALED);
      db.prepare('DELETE FROM wa_creds WHERE data LIKE ?').run(SEALED);
    });
  }

  /** Seals rows written before encryption, all in one transaction, and leaves no plaintext copy in the file. */
  function sealPlaintextRows(): void {
    const creds = db.prepare('SELECT data FROM wa_creds WHERE data NOT LIKE ?').all(SEALED) as { data: string }[];
    const keys = db.prepare('SELECT type, id, data FROM wa_keys WHERE data NOT LIKE ?').all(SEALED) as {
      type: string;
      id: string;
      data: string;
    }[];
    if (creds.length + keys.length === 0) return;
    const { secure_delete: previous } = db.prepare('PRAGMA secure_delete').get() as { secure_delete: number };
    // Freed pages are zeroed, so the replaced plaintext does not linger in the file.
    db.exec('PRAGMA secure_delete = ON');
    try {
      transaction(db, () => {
        for (const row of creds) storeCreds(deserialise(row.data) as AuthenticationCreds);
        for (const row of keys) writeKey.run(row.type, row.id, cipher!.seal(row.data, keyContext(row.type, row.id)));
      });
    } finally {
      db.exec(`PRAGMA secure_delete = ${previous}`);
    }
    // The plaintext pages also sit in the WAL until a checkpoint has copied the new ones over them.
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  }

  settleUnreadable();
  if (cipher) sealPlaintextRows();

  const state: AuthenticationState = {
    creds: loadCreds() ?? initAuthCreds(),
    keys: { get: getKeys, set: setKeys, clear: () => void db.exec('DELETE FROM wa_keys') },
  };

  return {
    state,
    saveCreds: () => transaction(db, () => void storeCreds(state.creds)),
    hasCreds: () => isLinked(loadCreds()),
    clear() {
      transaction(db, () => db.exec('DELETE FROM wa_keys; DELETE FROM wa_creds'));
      state.creds = initAuthCreds();
    },
  };
}
