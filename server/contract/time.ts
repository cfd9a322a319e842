/**
 * The one rule for time in the API, events, webhooks and the dashboard: a moment is Unix time in whole seconds, named
 * `timestamp` or `*_at` (`since` on the session); a duration is milliseconds, named `*_ms`.
 */
export const TIME_RULE =
  'Every timestamp (`timestamp`, `*_at`, `since`) is Unix time in whole seconds; every duration (`*_ms`) is milliseconds.';

/** A moment in Unix milliseconds (Date.now(), a Date's getTime()) as the API says it. */
export const unixSeconds = (ms: number): number => Math.floor(ms / 1000);

/** Now, as the API says it. */
export const nowSeconds = (): number => unixSeconds(Date.now());
