import { randomBytes, randomInt } from 'node:crypto';
import { Curve, hmacSign, proto, WA_ADV_ACCOUNT_SIG_PREFIX } from '@whiskeysockets/baileys';
import type { KeyPair } from './noise-server.ts';
import { SignalDevice, type SignalDeviceState } from './signal-device.ts';
import type { PhoneView } from '../contract/sandbox.ts';

export type { PhoneView };

/** A companion device (a Baileys client) linked to the virtual phone, and the keys it registered. */
export interface LinkedDevice {
  device: number;
  keyIndex: number;
  noiseKey: Buffer;
  identityKey: Buffer;
  advSecret: string;
  registrationId: number;
  signedPreKey: { keyId: number; public: Buffer; signature: Buffer };
  /** One-time prekeys it uploaded and that nobody has fetched yet. */
  preKeys: Record<string, Buffer>;
  platform: string;
  linkedAt: number;
  /** Set once the phone has sent it the initial (FULL) history-sync notice. */
  historySent: boolean;
  /** Stanzas for it that arrived while it was offline, delivered at its next login. */
  pending: unknown[];
}

export interface PhoneState {
  number: string;
  name: string;
  lid: string;
  /** The account (ADV) key: signs the device identities; also the phone's device-0 Signal identity. */
  accountKey: KeyPair;
  device0: SignalDeviceState;
  devices: LinkedDevice[];
  nextDeviceId: number;
  nextKeyIndex: number;
}

export function createPhoneState(number = '15559990000', name = 'Sandbox Phone', lid = '200000000000001'): PhoneState {
  const accountKey = Curve.generateKeyPair() as KeyPair;
  return {
    number,
    name,
    lid,
    accountKey,
    device0: SignalDevice.createState(accountKey),
    devices: [],
    nextDeviceId: 7,
    nextKeyIndex: 1,
  };
}

/** What the phone learns from a QR string (`https://wa.me/settings/linked_devices#ref,noise,identity,adv,platform`). */
export interface ParsedQr {
  ref: string;
  noiseKey: Buffer;
  identityKey: Buffer;
  advSecret: string;
  platformId: string;
}

export function parseQr(qr: string): ParsedQr {
  const body = qr.includes('#') ? qr.slice(qr.indexOf('#') + 1) : qr;
  const [ref, noise, identity, adv, platformId] = body.split(',');
  if (!ref || !noise || !identity || !adv) throw new Error('not a WhatsApp linking QR');
  const noiseKey = Buffer.from(noise, 'base64');
  const identityKey = Buffer.from(identity, 'base64');
  if (noiseKey.length !== 32 || identityKey.length !== 32 || Buffer.from(adv, 'base64').length !== 32) {
    throw new Error('not a WhatsApp linking QR (bad key lengths)');
  }
  return { ref, noiseKey, identityKey, advSecret: adv, platformId: platformId ?? '1' };
}

/** The `<device-identity>` content of pair-success: ADVSignedDeviceIdentityHMAC, signed by the account key. */
export function buildPairSuccessIdentity(
  phone: PhoneState,
  keyIndex: number,
  identityKey: Buffer,
  advSecret: string,
): { hmacContainer: Buffer; deviceDetails: Buffer } {
  const deviceDetails = Buffer.from(
    proto.ADVDeviceIdentity.encode({
      rawId: randomInt(1, 2 ** 31),
      timestamp: Math.floor(Date.now() / 1000),
      keyIndex,
      accountType: proto.ADVEncryptionType.E2EE,
      deviceType: proto.ADVEncryptionType.E2EE,
    }).finish(),
  );
  const accountSignature = Curve.sign(
    phone.accountKey.private,
    Buffer.concat([WA_ADV_ACCOUNT_SIG_PREFIX, deviceDetails, identityKey]),
  );
  const signed = Buffer.from(
    proto.ADVSignedDeviceIdentity.encode({
      details: deviceDetails,
      accountSignatureKey: phone.accountKey.public,
      accountSignature,
    }).finish(),
  );
  const hmac = hmacSign(signed, Buffer.from(advSecret, 'base64'));
  const hmacContainer = Buffer.from(
    proto.ADVSignedDeviceIdentityHMAC.encode({
      details: signed,
      hmac,
      accountType: proto.ADVEncryptionType.E2EE,
    }).finish(),
  );
  return { hmacContainer, deviceDetails };
}

export function randomRef(): string {
  return `2@${randomBytes(24).toString('base64')}`;
}
