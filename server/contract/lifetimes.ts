/** How long things last: the server keeps to these, the dashboard, the docs and the CLI tell them. */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** A dashboard session (its cookie) lasts this long after sign-in. */
export const ADMIN_SESSION_LIFETIME_MS = 30 * DAY_MS;

/** A one-time dashboard login link works for this long. */
export const LOGIN_LINK_LIFETIME_MS = 15 * MINUTE_MS;

/** A repeat with the same Idempotency-Key within this time answers the first result. */
export const IDEMPOTENCY_WINDOW_MS = DAY_MS;

/** How long `GET /contacts/{phone}` and the send path trust WhatsApp's answer: a "yes" rarely changes; a "no" may
 * change when the person installs WhatsApp. */
export const CONTACT_CACHE_MS = { on_whatsapp: 6 * HOUR_MS, not_on_whatsapp: 10 * MINUTE_MS };

/** Events stay replayable (`GET /events` with Last-Event-ID) for this long. */
export const EVENT_RETENTION_MS = 7 * DAY_MS;

export const WEBHOOK = {
  /** A receiver that has not answered in this time has failed the attempt. */
  timeoutMs: 10_000,
  /** Retry n waits a random time up to min(capMs, baseMs · 2^(n-1)) ("full jitter"). */
  backoff: { baseMs: 5_000, capMs: HOUR_MS },
  /** A webhook is paused once it has failed this many times in a row and for at least this long. */
  pauseAfter: { attempts: 15, ms: DAY_MS },
  /** An unsent delivery older than this is given up ('dead'). */
  maxAgeMs: 7 * DAY_MS,
  /** A receiver refuses a delivery whose `webhook-timestamp` is further than this from its clock (replays). */
  signatureToleranceMs: 5 * MINUTE_MS,
} as const;

/** WhatsApp lets a sent text be edited for this long after it was sent. */
export const EDIT_WINDOW_MS = 15 * MINUTE_MS;
