import type { Database } from './database.ts';
import { migrate, type Migrations, transaction } from './database.ts';
import {
  createCredentialCipher,
  CredentialDecryptError,
  isSealed,
  SEALED_PREFIX,
  type CredentialCipher,
} from './credential-cipher.ts';

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

/** The saved credentials, checked: this process can open every row (the cipher is null without a key). */
export interface SavedCredentials {
  db: Database;
  cipher: CredentialCipher | null;
}

export const CREDS_CONTEXT = 'creds';
export const keyContext = (type: string, id: string): string => `key/${type}/${id}`;
const SEALED = `${SEALED_PREFIX}%`;

// `me` alone is set early by a pairing-code request; only pair-success brings the signed `account`.
export const isLinked = (creds: { me?: { id?: string }; account?: unknown } | null): boolean =>
  Boolean(creds?.me?.id && creds.account);

/** Forgets the stored WhatsApp link whatever state it is in, for a user who chose to link again. */
export function forgetCredentials(db: Database): void {
  migrate(db, AUTH_STATE_MIGRATIONS);
  transaction(db, () => db.exec('DELETE FROM wa_keys; DELETE FROM wa_creds'));
}

/**
 * Checks the saved WhatsApp credentials before anything else starts, without Baileys (it loads after the port
 * opens): sealed creds of a linked device that cannot be opened stop the start with a CredentialsUnavailableError
 * and are left as they are; sealed leftovers of an unlinked device are dropped. With a 32-byte `key`, plaintext rows
 * from before are sealed at once.
 */
export function openSavedCredentials(db: Database, key?: Buffer | null): SavedCredentials {
  migrate(db, AUTH_STATE_MIGRATIONS);
  const cipher = key ? createCredentialCipher(key) : null;
  settleUnreadable(db, cipher);
  if (cipher) sealPlaintextRows(db, cipher);
  return { db, cipher };
}

/** The reason the sealed rows cannot be opened here, or null when they can (or there are none). */
function whyUnreadable(db: Database, cipher: CredentialCipher | null): string | null {
  const countLike = db.prepare(
    'SELECT (SELECT COUNT(*) FROM wa_creds WHERE data LIKE ?1) + (SELECT COUNT(*) FROM wa_keys WHERE data LIKE ?1) AS n',
  );
  const sealedWith = (prefix: string) => (countLike.get(`${prefix}%`) as { n: number }).n;
  const sealed = sealedWith(SEALED_PREFIX);
  if (sealed === 0) return null;
  if (!cipher) return 'no key';
  if (sealedWith(`${SEALED_PREFIX}${cipher.keyId}:`) < sealed)
    return 'they were encrypted with another key than the one the OS keyring gives WaGate now, as after a keyring reset';
  const row = db.prepare('SELECT data FROM wa_creds WHERE id = 1').get() as { data: string } | undefined;
  if (!row) return null;
  try {
    // Baileys' BufferJSON only turns {type: 'Buffer', data} back into bytes: plain JSON fails on the same text.
    JSON.parse(isSealed(row.data) ? cipher.open(row.data, CREDS_CONTEXT) : row.data);
    return null;
  } catch (error) {
    if (error instanceof CredentialDecryptError) return 'they are damaged';
    throw error;
  }
}

/** Sealed rows this process cannot open: kept (and the start refused) for a linked device, dropped otherwise. */
function settleUnreadable(db: Database, cipher: CredentialCipher | null): void {
  const reason = whyUnreadable(db, cipher);
  if (reason === null) return;
  const row = db.prepare('SELECT data, linked FROM wa_creds WHERE id = 1').get() as
    { data: string; linked: number } | undefined;
  if (row && isSealed(row.data) && row.linked === 1)
    throw cipher ? new CredentialsUnreadableError(reason) : new CredentialsLockedError();
  transaction(db, () => {
    db.prepare('DELETE FROM wa_keys WHERE data LIKE ?').run(SEALED);
    db.prepare('DELETE FROM wa_creds WHERE data LIKE ?').run(SEALED);
  });
}

/** Seals rows written before encryption, all in one transaction, and leaves no plaintext copy in the file. */
function sealPlaintextRows(db: Database, cipher: CredentialCipher): void {
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
  const writeCreds = db.prepare(
    'INSERT INTO wa_creds (id, data, linked) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data, linked = excluded.linked',
  );
  const writeKey = db.prepare(
    'INSERT INTO wa_keys (type, id, data) VALUES (?, ?, ?) ON CONFLICT (type, id) DO UPDATE SET data = excluded.data',
  );
  try {
    transaction(db, () => {
      for (const row of creds)
        writeCreds.run(cipher.seal(row.data, CREDS_CONTEXT), isLinked(JSON.parse(row.data) as object) ? 1 : 0);
      for (const row of keys) writeKey.run(row.type, row.id, cipher.seal(row.data, keyContext(row.type, row.id)));
    });
  } finally {
    db.exec(`PRAGMA secure_delete = ${previous}`);
  }
  // The plaintext pages also sit in the WAL until a checkpoint has copied the new ones over them.
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
}
