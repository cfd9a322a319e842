import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Curve, proto, WA_ADV_DEVICE_SIG_PREFIX } from '@whiskeysockets/baileys';
import { verifyPairDeviceSign } from '../../server/sandbox/pair-device-sign.ts';

/**
 * The virtual phone's check of a companion's pair-device-sign, against identities a forged or broken companion could
 * send: real Baileys always sends a good one (test/sandbox/checks.test.ts has the end-to-end refusal of a bad key).
 * Signed the way Baileys' configureSuccessfulPairing signs, with libsignal's curve through Baileys' `Curve`.
 */
const phone = { accountKey: Curve.generateKeyPair() as { private: Buffer; public: Buffer } };
const companion = Curve.generateKeyPair();
const details = Buffer.from(proto.ADVDeviceIdentity.encode({ rawId: 7, timestamp: 1, keyIndex: 1 }).finish());

function signedBy(
  key: { private: Uint8Array; public: Uint8Array },
  over = details,
  fields: Partial<{ details: Uint8Array | null; deviceSignature: Uint8Array | null }> = {},
): Uint8Array {
  const msg = Buffer.concat([WA_ADV_DEVICE_SIG_PREFIX, over, key.public, phone.accountKey.public]);
  return proto.ADVSignedDeviceIdentity.encode({
    details: over,
    deviceSignature: Curve.sign(key.private, msg),
    ...fields,
  }).finish();
}

const verify = (signed: Uint8Array, identityKey = Buffer.from(companion.public)) =>
  verifyPairDeviceSign(phone, signed, identityKey, details);

test('the companion’s signature over the details it was given, with the key it registered, verifies', () => {
  assert.equal(verify(signedBy(companion)), true);
});

test('it verifies quietly: libsignal gets the key in its 33-byte form and warns of nothing on stderr', (t) => {
  const warnings = t.mock.method(console, 'error', () => undefined);
  assert.equal(verify(signedBy(companion)), true);
  assert.deepEqual(
    warnings.mock.calls.map((call) => call.arguments),
    [],
  );
});

test('a signature by another key, or for another registered key, does not', () => {
  const other = Curve.generateKeyPair();
  assert.equal(verify(signedBy(other)), false, 'signed with a key it did not register');
  assert.equal(verify(signedBy(companion), Buffer.from(other.public)), false, 'registered another key');
});

test('details other than the phone gave, even well signed, do not', () => {
  const otherDetails = Buffer.from(proto.ADVDeviceIdentity.encode({ rawId: 8, timestamp: 1, keyIndex: 1 }).finish());
  assert.equal(verify(signedBy(companion, otherDetails)), false);
});

test('a missing or malformed part is refused, not thrown', () => {
  assert.equal(verify(signedBy(companion, details, { details: null })), false, 'no details');
  assert.equal(verify(signedBy(companion, details, { deviceSignature: null })), false, 'no signature');
  assert.equal(verify(signedBy(companion, details, { deviceSignature: randomBytes(64) })), false, 'a random signature');
  assert.equal(verify(signedBy(companion, details, { deviceSignature: randomBytes(10) })), false, 'a short signature');
});
