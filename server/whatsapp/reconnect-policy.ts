/** What the session does after Baileys closes its socket. */
export type CloseDecision =
  { action: 'restart' } | { action: 'reconnect'; delayMs: number } | { action: 'logged_out' } | { action: 'replaced' };

export interface BackoffConfig {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = { baseMs: 1000, maxMs: 60_000 };

/** Baileys' DisconnectReason codes that decide something other than "try again later". */
const RESTART_REQUIRED = 515;
const LOGGED_OUT = 401;
const FORBIDDEN = 403;
const CONNECTION_REPLACED = 440;

/**
 * 515 asks for a new socket at once (it follows pairing); 401 and 403 mean these credentials are finished; 440 means
 * another client took the session over and fighting it would only bounce both. Anything else is transient: wait
 * 2^attempt × base, capped, with half of it random so many gateways do not reconnect in step.
 */
export function decideOnClose(
  statusCode: number | undefined,
  attempt: number,
  random: () => number = Math.random,
  backoff: BackoffConfig = DEFAULT_BACKOFF,
): CloseDecision {
  if (statusCode === RESTART_REQUIRED) return { action: 'restart' };
  if (statusCode === LOGGED_OUT || statusCode === FORBIDDEN) return { action: 'logged_out' };
  if (statusCode === CONNECTION_REPLACED) return { action: 'replaced' };
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt));
  return { action: 'reconnect', delayMs: Math.round(ceiling / 2 + (ceiling / 2) * random()) };
}
