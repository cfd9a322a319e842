import { z } from 'zod';

/**
 * The one rule for time in the API, events, webhooks, the sandbox's control API and the dashboard: a moment is Unix
 * time in whole seconds, named `timestamp` or `*_at` (`since` on the session, `until` for an end); a duration is
 * milliseconds, named `*_ms`.
 */
export const TIME_RULE =
  'Every timestamp (`timestamp`, `*_at`, `since`, `until`) is Unix time in whole seconds; every duration (`*_ms`) is milliseconds.';

/** Unix seconds up to the year 9999: a time in milliseconds is past it, so it is refused rather than misread. */
export const MAX_UNIX_SECONDS = 253_402_300_799;

/** A moment in Unix milliseconds (Date.now(), a Date's getTime()) as the API says it: a start, rounded down. */
export const unixSeconds = (ms: number): number => Math.floor(ms / 1000);

/** An end in Unix milliseconds as the API says it: rounded up, so it is never said to end before it does. */
export const endSeconds = (ms: number): number => Math.ceil(ms / 1000);

/** Now, as the API says it. */
export const nowSeconds = (): number => unixSeconds(Date.now());

/** A time the API is given: whole Unix seconds. */
export const UnixSecondsSchema = z
  .number()
  .int()
  .positive()
  .max(MAX_UNIX_SECONDS, 'must be Unix time in seconds, not milliseconds');
