import { createHmac, timingSafeEqual } from 'node:crypto';

/** The headers every webhook delivery carries. */
export const SIGNATURE_HEADER = 'WaGate-Signature';
export const TIMESTAMP_HEADER = 'WaGate-Timestamp';
export const DELIVERY_HEADER = 'WaGate-Delivery';
export const EVENT_HEADER = 'WaGate-Event';

/** A replayed delivery older (or newer) than this is refused by verifySignature's default. */
export const DEFAULT_TOLERANCE_SEC = 300;

const SCHEME = 'v1';

function hmac(secret: string, timestamp: number | string, rawBody: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

/** `v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`, keyed with the webhook's secret as shown at creation. */
export function signPayload(secret: string, timestamp: number | string, rawBody: string | Uint8Array): string {
  return `${SCHEME}=${hmac(secret, timestamp, rawBody).toString('hex')}`;
}

/**
 * True when one of the header's signatures (comma-separated `v1=<hex>`) matches the body and the timestamp (Unix
 * seconds) is within `toleranceSec` of now. The comparison takes the same time whatever the bytes.
 */
export function verifySignature(
  secret: string,
  header: string | null | undefined,
  timestamp: number | string | null | undefined,
  rawBody: string | Uint8Array,
  toleranceSec: number = DEFAULT_TOLERANCE_SEC,
  nowSec: number = Date.now() / 1000,
): boolean {
  if (!header || timestamp === null || timestamp === undefined || !/^\d{1,12}$/.test(String(timestamp))) return false;
  if (Math.abs(nowSec - Number(timestamp)) > toleranceSec) return false;
  const expected = hmac(secret, timestamp, rawBody);
  let ok = false;
  for (const part of header.split(',')) {
    const [scheme, hex] = part.trim().split('=', 2);
    if (scheme !== SCHEME || !hex || !/^[0-9a-f]{64}$/i.test(hex)) continue;
    // No early exit: every candidate is compared, so the time says nothing about which one matched.
    if (timingSafeEqual(expected, Buffer.from(hex, 'hex'))) ok = true;
  }
  return ok;
}
