import { createServer, type RequestListener, type Server } from 'node:http';
import { answerClientErrors } from './client-errors.ts';
import type { HttpLimits } from './limits.ts';

/** Node checks its deadlines on a timer (30 s by default); a tenth of the header deadline keeps it close to its word. */
const checkEvery = (limits: HttpLimits): number => Math.max(10, Math.min(1000, limits.headerDeadlineMs / 10));

/**
 * The node:http server under the express app, with the deadlines of `limits` (so a client that never finishes its
 * request holds its socket for seconds, not minutes) and envelope answers for requests the parser refuses.
 */
export function createHttpServer(app: RequestListener, limits: HttpLimits): Server {
  const server = createServer(
    {
      headersTimeout: limits.headerDeadlineMs,
      requestTimeout: Math.max(limits.requestDeadlineMs, limits.headerDeadlineMs),
      connectionsCheckingInterval: checkEvery(limits),
    },
    app,
  );
  answerClientErrors(server);
  return server;
}
