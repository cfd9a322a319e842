/**
 * What one client may take from the HTTP server, said once: the server reads these, the README's Security section
 * states them, and tests set them short. (To move into server/contract/ once it exists.)
 */
export interface HttpLimits {
  /** A request's whole header block must arrive within this, or the connection gets a 408 and is closed. */
  headerDeadlineMs: number;
  /** The whole request (headers and body) must arrive within this. */
  requestDeadlineMs: number;
  /** Open `GET /events` streams for one API key (or the dashboard's session)... */
  eventStreamsPerCaller: number;
  /** ...and for every caller together. */
  eventStreamsTotal: number;
  /** Wrong API keys one client address may send within `authFailureWindowMs` before it is answered 429. */
  authFailures: number;
  authFailureWindowMs: number;
  /** On stop, how long requests in flight may take to finish before WhatsApp is closed under them. */
  drainMs: number;
}

export const DEFAULT_LIMITS: HttpLimits = {
  headerDeadlineMs: 10_000,
  requestDeadlineMs: 30_000,
  eventStreamsPerCaller: 5,
  eventStreamsTotal: 50,
  authFailures: 20,
  authFailureWindowMs: 60_000,
  // The longest typing simulation (8 s by default) and the send after it; the desktop app gives a stop 15 s in all.
  drainMs: 10_000,
};
