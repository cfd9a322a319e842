import * as libsignal from 'libsignal';
import { proto, WA_ADV_DEVICE_SIG_PREFIX } from '@whiskeysockets/baileys';
import type { PhoneState } from './virtual-phone.ts';
import { signalPub } from './signal-device.ts';

/**
 * libsignal's verdict on a Curve25519 signature. Not Baileys' `Curve.verify`: it answers true for any well-formed
 * signature (it drops libsignal's boolean and only catches throws), so the phone would accept a forged one.
 */
const { curve } = libsignal as unknown as {
  curve: { verifySignature(publicKey: Buffer, message: Buffer, signature: Buffer): boolean };
};
const verifiesSignature = (publicKey: Buffer, message: Buffer, signature: Buffer): boolean => {
  try {
    return curve.verifySignature(publicKey, message, signature);
  } catch {
    return false;
  }
};

/**
 * The phone's check of a companion's `pair-device-sign`: its device signature over the details the phone gave it,
 * with the identity key it registered. A companion that fails it is refused, as the real phone refuses it.
 */
export function verifyPairDeviceSign(
  phone: Pick<PhoneState, 'accountKey'>,
  signedIdentity: Uint8Array,
  identityKey: Buffer,
  expectedDetails: Buffer,
): boolean {
  const account = proto.ADVSignedDeviceIdentity.decode(signedIdentity);
  if (!account.details || !account.deviceSignature) return false;
  const details = Buffer.from(account.details);
  if (!details.equals(expectedDetails)) return false;
  const msg = Buffer.concat([WA_ADV_DEVICE_SIG_PREFIX, details, identityKey, phone.accountKey.public]);
  // libsignal's form of the key: given the raw 32 bytes it verifies too, but prints a warning to stderr each time.
  return verifiesSignature(signalPub(identityKey), msg, Buffer.from(account.deviceSignature));
}
