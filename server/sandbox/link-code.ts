import { randomBytes } from 'node:crypto';
import {
  aesDecryptCTR,
  aesDecryptGCM,
  aesEncryptCTR,
  Curve,
  derivePairingCodeKey,
  hkdf,
} from '@whiskeysockets/baileys';

/**
 * The phone's half of linking by code ("Link with phone number instead"), as Baileys' `requestPairingCode` and its
 * `link_code_companion_reg` notification handler expect it. Ephemeral keys travel as salt(32) ‖ iv(16) ‖
 * AES-256-CTR(pub), keyed by PBKDF2-SHA256(code, salt, 131072); CTR has no tag, so only the companion's key bundle
 * (AES-GCM) shows whether both sides used the same code.
 */

const KEY_BUNDLE_INFO = 'link_code_pairing_key_bundle_encryption_key';

/** What a person types: case and the dash or spaces of `ABCD-EFGH` do not matter. */
export function normalizePairingCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}

export function isPairingCode(code: string): boolean {
  return /^[0-9A-Z]{8}$/.test(code);
}

/** The companion's ephemeral public key out of `link_code_pairing_wrapped_companion_ephemeral_pub`. */
export async function unwrapEphemeral(code: string, wrapped: Buffer): Promise<Buffer> {
  const key = await derivePairingCodeKey(code, wrapped.subarray(0, 32));
  return aesDecryptCTR(wrapped.subarray(48, 80), key, wrapped.subarray(32, 48));
}

/** `link_code_pairing_wrapped_primary_ephemeral_pub`: the phone's ephemeral public key wrapped with the code. */
export async function wrapEphemeral(code: string, publicKey: Buffer): Promise<Buffer> {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const key = await derivePairingCodeKey(code, salt);
  return Buffer.concat([salt, iv, aesEncryptCTR(publicKey, key, iv)]);
}

export interface KeyBundle {
  companionIdentity: Buffer;
  primaryIdentity: Buffer;
  /** The companion's DH of the two ephemerals, and its random: inputs of the ADV secret. */
  ephemeralShared: Buffer;
  random: Buffer;
}

/**
 * Opens `link_code_pairing_wrapped_key_bundle` (salt(32) ‖ iv(12) ‖ AES-GCM(companion identity ‖ primary identity ‖
 * random)); null when it does not decrypt, i.e. the code the phone used is not the companion's.
 */
export function openKeyBundle(
  primaryEphemeralPrivate: Buffer,
  companionEphemeral: Buffer,
  wrapped: Buffer,
): KeyBundle | null {
  if (wrapped.length < 44 + 96 + 16) return null;
  const ephemeralShared = Curve.sharedKey(primaryEphemeralPrivate, companionEphemeral);
  const key = Buffer.from(hkdf(ephemeralShared, 32, { salt: wrapped.subarray(0, 32), info: KEY_BUNDLE_INFO }));
  let plain: Buffer;
  try {
    plain = aesDecryptGCM(wrapped.subarray(44), key, wrapped.subarray(32, 44), Buffer.alloc(0));
  } catch {
    return null;
  }
  if (plain.length !== 96) return null;
  return {
    companionIdentity: plain.subarray(0, 32),
    primaryIdentity: plain.subarray(32, 64),
    ephemeralShared,
    random: plain.subarray(64, 96),
  };
}

/** The ADV secret both sides now share (base64, as the QR carries it): what pair-success is HMAC'd with. */
export function deriveAdvSecret(bundle: KeyBundle, primaryIdentityPrivate: Buffer): string {
  const identityShared = Curve.sharedKey(primaryIdentityPrivate, bundle.companionIdentity);
  return Buffer.from(
    hkdf(Buffer.concat([bundle.ephemeralShared, identityShared, bundle.random]), 32, { info: 'adv_secret' }),
  ).toString('base64');
}
