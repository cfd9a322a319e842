import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import {
  createCredentialCipher,
  CredentialDecryptError,
  isSealed,
  sealedKeyId,
} from '../../server/store/credential-cipher.ts';

const SECRET = '{"noiseKey":{"private":"c2VjcmV0IG5vaXNlIGtleQ=="}}';

test('a sealed value opens to the same text with the same key, and shows nothing of it', () => {
  const cipher = createCredentialCipher(randomBytes(32));
  const sealed = cipher.seal(SECRET, 'creds');
  assert.ok(isSealed(sealed));
  assert.equal(sealedKeyId(sealed), cipher.keyId);
  assert.match(sealed, /^wgc1:[0-9a-f]{16}:[A-Za-z0-9+/]+=*$/);
  assert.ok(!sealed.includes('c2VjcmV0IG5vaXNlIGtleQ') && !sealed.includes('noiseKey'));
  assert.equal(cipher.open(sealed, 'creds'), SECRET);
});

test('no IV comes twice, across more seals than one draw of randomness holds', () => {
  const cipher = createCredentialCipher(randomBytes(32));
  const ivs = Array.from({ length: 1000 }, () =>
    Buffer.from(cipher.seal(SECRET, 'creds').split(':')[2]!, 'base64').subarray(0, 12).toString('hex'),
  );
  assert.equal(new Set(ivs).size, ivs.length);
});

test('the cipher does not carry its key where a logger would print it', () => {
  const key = randomBytes(32);
  const cipher = createCredentialCipher(key);
  const printed = `${JSON.stringify(cipher)} ${inspect(cipher, { depth: 5, showHidden: true })}`;
  for (const form of [key.toString('hex'), key.toString('base64')]) assert.ok(!printed.includes(form));
  assert.ok(!key.toString('hex').includes(cipher.keyId), 'the key id is not a piece of the key');
});

test('every seal takes a new IV: the same text twice gives two different values', () => {
  const cipher = createCredentialCipher(randomBytes(32));
  const a = cipher.seal(SECRET, 'creds');
  const b = cipher.seal(SECRET, 'creds');
  assert.notEqual(a, b);
  assert.notEqual(
    Buffer.from(a.split(':')[2]!, 'base64').subarray(0, 12).toString('hex'),
    Buffer.from(b.split(':')[2]!, 'base64').subarray(0, 12).toString('hex'),
  );
});

test('another key, a flipped bit or another place does not open, with a reason', () => {
  const key = randomBytes(32);
  const cipher = createCredentialCipher(key);
  const sealed = cipher.seal(SECRET, 'key/session/a');
  assert.throws(
    () => createCredentialCipher(randomBytes(32)).open(sealed, 'key/session/a'),
    (e) => e instanceof CredentialDecryptError && /another key/.test(e.message),
  );
  const body = Buffer.from(sealed.split(':')[2]!, 'base64');
  body[20]! ^= 1;
  const flipped = `wgc1:${cipher.keyId}:${body.toString('base64')}`;
  assert.throws(
    () => cipher.open(flipped, 'key/session/a'),
    (e) => e instanceof CredentialDecryptError && /damaged/.test(e.message),
  );
  assert.throws(
    () => cipher.open(sealed, 'key/session/b'),
    CredentialDecryptError,
    'a value moved to another row does not open',
  );
  assert.throws(() => cipher.open('{"plain":true}', 'creds'), CredentialDecryptError);
  assert.equal(
    createCredentialCipher(Buffer.from(key)).open(sealed, 'key/session/a'),
    SECRET,
    'the same key bytes open it',
  );
});

test('plaintext is told apart from sealed values, and a key must be 32 bytes', () => {
  assert.equal(isSealed('{"a":1}'), false);
  assert.equal(sealedKeyId('{"a":1}'), null);
  assert.throws(() => createCredentialCipher(randomBytes(16)), /32 bytes/);
});
