import { proto } from '@whiskeysockets/baileys';
import { ApiError } from '../api-error.ts';
import type { Connection, Registration } from './connection.ts';
import { type BinaryNode, beUint, bytes, child, node, nowSeconds, phoneMessageId, S_WHATSAPP_NET } from './frames.ts';
import { phoneView } from './linked-devices.ts';
import type { SandboxState } from './sandbox-state.ts';
import {
  type LinkedDevice,
  type PhoneState,
  type PhoneView,
  buildPairSuccessIdentity,
  parseQr,
  randomRef,
} from './virtual-phone.ts';
import { verifyPairDeviceSign } from './pair-device-sign.ts';

/** A client payload without a username: a new companion registering. It is given the refs its QR shows. */
export function register(conn: Connection, payload: proto.ClientPayload): void {
  const pairing = payload.devicePairingData;
  if (!pairing?.eIdent || !pairing.eSkeyVal || !pairing.eSkeySig || !conn.noise.clientStatic) {
    conn.end(node('failure', { reason: '400', location: 'sandbox' }));
    return;
  }
  const refs = Array.from({ length: 6 }, () => randomRef());
  conn.kind = 'registration';
  conn.registration = {
    refs,
    linkCode: null,
    noiseKey: conn.noise.clientStatic,
    registrationId: beUint(Buffer.from(pairing.eRegid ?? [])),
    identityKey: Buffer.from(pairing.eIdent),
    signedPreKey: {
      keyId: beUint(Buffer.from(pairing.eSkeyId ?? [])),
      public: Buffer.from(pairing.eSkeyVal),
      signature: Buffer.from(pairing.eSkeySig),
    },
    platform: platformOf(pairing.deviceProps),
  };
  // Refs are stored (above) before the frame leaves: Baileys acks and shows the QR in the same tick.
  conn
    .query(
      node('iq', { from: S_WHATSAPP_NET, type: 'set', xmlns: 'md', id: phoneMessageId().slice(0, 10) }, [
        node(
          'pair-device',
          {},
          refs.map((r) => node('ref', {}, Buffer.from(r))),
        ),
      ]),
      60_000,
    )
    .catch(() => undefined);
}

function platformOf(deviceProps: Uint8Array | null | undefined): string {
  let platform = 'unknown';
  try {
    if (deviceProps) platform = proto.DeviceProps.decode(deviceProps).os ?? platform;
  } catch {
    /* keep unknown */
  }
  return platform;
}

/** The phone scans a QR: it links the open client that was given that ref, if the QR's keys are that client's. */
export async function scan(state: SandboxState, qr: string): Promise<PhoneView> {
  let parsed;
  try {
    parsed = parseQr(qr);
  } catch (err) {
    throw new ApiError(400, (err as Error).message);
  }
  const conn = [...state.connections].find((c) => c.open && c.registration?.refs.includes(parsed.ref));
  if (!conn || !conn.registration)
    throw new ApiError(409, 'no client is showing this QR any more (expired, or already used)');
  const reg = conn.registration;
  if (!reg.noiseKey.equals(parsed.noiseKey) || !reg.identityKey.equals(parsed.identityKey)) {
    throw new ApiError(400, 'the QR’s keys do not match the client that asked for it');
  }
  conn.registration = { ...reg, refs: [], linkCode: null };
  return completePairing(state, conn, reg, parsed.advSecret);
}

/**
 * What QR and code linking share: the phone sends pair-success (the ADV identity HMAC'd with the secret both sides
 * now hold), verifies the companion's pair-device-sign, stores the device and asks for the 515 restart.
 */
export async function completePairing(
  state: SandboxState,
  conn: Connection,
  reg: Registration,
  advSecret: string,
): Promise<PhoneView> {
  const phone = state.phone;
  const deviceId = phone.nextDeviceId++;
  const keyIndex = phone.nextKeyIndex++;
  state.savePhone();
  const { hmacContainer, deviceDetails } = buildPairSuccessIdentity(phone, keyIndex, reg.identityKey, advSecret);
  const answer = await conn.query(pairSuccess(phone, deviceId, hmacContainer), 15_000).catch((err: unknown) => {
    throw new ApiError(409, `the client did not confirm the pairing: ${(err as Error).message}`);
  });
  const signed = bytes(child(child(answer, 'pair-device-sign'), 'device-identity'));
  if (!signed || !verifyPairDeviceSign(phone, signed, reg.identityKey, deviceDetails)) {
    conn.end(node('failure', { reason: '401', location: 'sandbox' }));
    throw new ApiError(409, 'the client’s pair-device-sign did not verify');
  }
  phone.devices.push(linkedDevice(reg, deviceId, keyIndex, advSecret));
  state.savePhone();
  state.logger.info(`phone linked device ${deviceId} (${reg.platform})`);
  conn.end(node('stream:error', { code: '515' }));
  return phoneView(state);
}

function pairSuccess(phone: PhoneState, deviceId: number, hmacContainer: Buffer): BinaryNode {
  return node(
    'iq',
    { from: S_WHATSAPP_NET, type: 'set', xmlns: 'md', id: phoneMessageId().slice(0, 10), t: nowSeconds() },
    [
      node('pair-success', {}, [
        node('device-identity', {}, hmacContainer),
        node('platform', { name: 'android' }),
        node('device', { jid: `${phone.number}:${deviceId}@s.whatsapp.net`, lid: `${phone.lid}:${deviceId}@lid` }),
        node('biz', { name: phone.name }),
      ]),
    ],
  );
}

function linkedDevice(reg: Registration, deviceId: number, keyIndex: number, advSecret: string): LinkedDevice {
  return {
    device: deviceId,
    keyIndex,
    noiseKey: reg.noiseKey,
    identityKey: reg.identityKey,
    advSecret,
    registrationId: reg.registrationId,
    signedPreKey: reg.signedPreKey,
    preKeys: {},
    platform: reg.platform,
    linkedAt: Date.now(),
    historySent: false,
    pending: [],
  };
}
