import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { WEBHOOK } from '../contract/lifetimes.ts';
import { DELIVERY_HEADERS } from '../contract/webhooks.ts';

/*
 * Standard Webhooks' symmetric scheme (https://www.standardwebhooks.com), so that any of its libraries verifies a
 * delivery: `webhook-signature: v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<raw body>`, keyed with
 * the bytes that the secret's part after `whsec_` encodes in base64.
 */

const SCHEME = 'v1,';
/** The standard's bounds for a secret's random bytes; WaGate makes 32. */
const KEY_BYTES = { min: 24, max: 64, made: 32 } as const;
/** In the standard alphabet only, as the standard's libraries decode it (a `-` or `_` makes them throw). */
const SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/** A new webhook's secret: `whsec_` and the base64 of 32 random bytes. */
export function newSecret(): string {
  return `whsec_${randomBytes(KEY_BYTES.made).toString('base64')}`;
}

/** The HMAC key a secret stands for. Throws for anything else, without the secret in the message (it may be logged). */
function keyOf(secret: string): Buffer {
  const match = SECRET.exec(secret);
  const key = match ? Buffer.from(match[1]!, 'base64') : null;
  if (!key || key.length < KEY_BYTES.min || key.length > KEY_BYTES.max)
    throw new Error(`a webhook secret is whsec_ and the base64 of ${KEY_BYTES.min} to ${KEY_BYTES.max} random bytes`);
  return key;
}

function hmac(key: Buffer, id: string, timestamp: string, rawBody: string | Uint8Array): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(rawBody).digest('base64');
}

/**
 * The three headers that sign one attempt: `id` is the delivery's (the same on every retry, the receiver's
 * idempotency key), `timestampSec` this attempt's Unix seconds.
 */
export function signedHeaders(
  secret: string,
  id: string,
  timestampSec: number,
  rawBody: string | Uint8Array,
): Record<string, string> {
  const timestamp = String(timestampSec);
  return {
    [DELIVERY_HEADERS.id]: id,
    [DELIVERY_HEADERS.timestamp]: timestamp,
    [DELIVERY_HEADERS.signature]: `${SCHEME}${hmac(keyOf(secret), id, timestamp, rawBody)}`,
  };
}

/** Headers as node gives them: lower-case names. */
export type ReceivedHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * True when one of the `v1,` signatures in `webhook-signature` (space-separated: a sender rotating its secret signs
 * with both) is this body's, and `webhook-timestamp` is within `toleranceMs` of `now` (Unix ms). Signatures are
 * compared in constant time. Throws only for a secret that is not one (see keyOf).
 */
export function verifySignature(
  secret: string,
  rawBody: string | Uint8Array,
  headers: ReceivedHeaders,
  { toleranceMs = WEBHOOK.signatureToleranceMs, now = Date.now() }: { toleranceMs?: number; now?: number } = {},
): boolean {
  const id = headers[DELIVERY_HEADERS.id];
  const timestamp = headers[DELIVERY_HEADERS.timestamp];
  const signatures = headers[DELIVERY_HEADERS.signature];
  if (typeof id !== 'string' || id === '' || typeof signatures !== 'string') return false;
  if (typeof timestamp !== 'string' || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(now - Number(timestamp) * 1000) > toleranceMs) return false;
  const expected = Buffer.from(SCHEME + hmac(keyOf(secret), id, timestamp, rawBody));
  let ok = false;
  for (const candidate of signatures.split(' ')) {
    const given = Buffer.from(candidate);
    // No early exit: every candidate is compared, so the time says nothing about which one matched.
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}
