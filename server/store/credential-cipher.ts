import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomBytes } from 'node:crypto';

/** Marks a sealed value and its format; a stored value without it is plaintext from before encryption. */
const MARKER = 'wgc1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed value that this key cannot open: sealed with another key, or damaged. */
export class CredentialDecryptError extends Error {}

export interface CredentialCipher {
  /** Names the key without revealing it, so a value sealed with another key is told apart from a damaged one. */
  keyId: string;
  /** `context` names where the value lives (it is authenticated, not stored): a value moved elsewhere will not open. */
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

export const SEALED_PREFIX = `${MARKER}:`;
export const isSealed = (stored: string): boolean => stored.startsWith(SEALED_PREFIX);

/** The key id a sealed value names, or null for plaintext. */
export function sealedKeyId(stored: string): string | null {
  return isSealed(stored) ? (stored.split(':')[1] ?? null) : null;
}

/** IVs drawn from the CSPRNG this many at a time: an IV is public and must only never repeat under a key. */
const IVS_PER_DRAW = 256;

/**
 * Fresh random IVs, each a new part of a buffer the CSPRNG fills once per IVS_PER_DRAW: with the key imported once, a
 * call per seal was the largest part of sealing a send's session records on the event loop.
 */
function randomIvs(): () => Buffer {
  let pool = Buffer.alloc(0);
  let next = 0;
  return () => {
    if (next === pool.length) {
      pool = randomBytes(IV_BYTES * IVS_PER_DRAW);
      next = 0;
    }
    next += IV_BYTES;
    return pool.subarray(next - IV_BYTES, next);
  };
}

/** AES-256-GCM with a random 12-byte IV per value: `wgc1:<key id>:<base64 of IV, ciphertext, tag>`. */
export function createCredentialCipher(key: Buffer): CredentialCipher {
  if (key.length !== KEY_BYTES) throw new TypeError(`a credential key has ${KEY_BYTES} bytes, not ${key.length}`);
  // A KeyObject made once: given the bytes, each cipher imports the key again, most of a seal's cost (two values are
  // sealed with every send).
  const secret = createSecretKey(key);
  const keyId = createHmac('sha256', secret).update('wagate credential key id').digest('hex').slice(0, 16);
  const aad = (context: string) => Buffer.from(`${MARKER}:${keyId}:${context}`);
  const nextIv = randomIvs();

  function seal(plaintext: string, context: string): string {
    const iv = nextIv();
    const cipher = createCipheriv('aes-256-gcm', secret, iv).setAAD(aad(context));
    const body = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${SEALED_PREFIX}${keyId}:${body.toString('base64')}`;
  }

  function open(sealed: string, context: string): string {
    const [marker, id, data] = sealed.split(':');
    if (marker !== MARKER || data === undefined) throw new CredentialDecryptError('not a sealed credential value');
    if (id !== keyId) throw new CredentialDecryptError('sealed with another key');
    const body = Buffer.from(data, 'base64');
    if (body.length < IV_BYTES + TAG_BYTES) throw new CredentialDecryptError('damaged: too short');
    try {
      const decipher = createDecipheriv('aes-256-gcm', secret, body.subarray(0, IV_BYTES)).setAAD(aad(context));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new CredentialDecryptError('damaged: it does not authenticate');
    }
  }

  return { keyId, seal, open };
}
