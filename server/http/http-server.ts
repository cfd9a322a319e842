import { createServer, type RequestListener, type Server } from 'node:http';
import { answerClientErrors } from './client-errors.ts';
import { createHttpDrain, type HttpDrain } from './drain.ts';
import type { HttpLimits } from '../contract/limits.ts';

/** Node checks its deadlines on a timer (30 s by default); a tenth of the header deadline keeps it close to its word. */
const checkEvery = (limits: HttpLimits): number => Math.max(10, Math.min(1000, limits.headerDeadlineMs / 10));

export interface HttpServer {
  server: Server;
  /** How a stop answers every request (server/http/drain.ts). */
  drain: HttpDrain;
}

/**
 * The node:http server under the express app, with the deadlines of `limits` (so a client that never finishes its
 * request holds its socket for seconds, not minutes), envelope answers for requests the parser refuses, and a drain
 * for the stop.
 */
export function createHttpServer(app: RequestListener, limits: HttpLimits): HttpServer {
  const server = createServer({
    headersTimeout: limits.headerDeadlineMs,
    requestTimeout: Math.max(limits.requestDeadlineMs, limits.headerDeadlineMs),
    connectionsCheckingInterval: checkEvery(limits),
  });
  const drain = createHttpDrain(server);
  server.on('request', (req, res) => drain.admit(res) && app(req, res));
  answerClientErrors(server);
  return { server, drain };
}
