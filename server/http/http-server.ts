import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from './node-http.ts';
import { answerClientErrors } from './client-errors.ts';
import { createHttpDrain, type HttpDrain } from './drain.ts';
import { createTurnBudget } from './turn-budget.ts';
import type { HttpLimits } from '../contract/limits.ts';

/** Node checks its deadlines on a timer (30 s by default); a tenth of the header deadline keeps it close to its word. */
const checkEvery = (limits: HttpLimits): number => Math.max(10, Math.min(1000, limits.headerDeadlineMs / 10));

export interface HttpServer {
  server: Server;
  /** How a stop answers every request (server/http/drain.ts). */
  drain: HttpDrain;
}

/**
 * What answers the requests (server/http/app.ts), and the classes its requests and responses are built from. The
 * response class is required: it writes every head with the security headers (security-headers.ts `withHeads`).
 */
export interface HttpHandler {
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  IncomingMessage?: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
}

/**
 * The node:http server under the app, with the deadlines of `limits` (so a client that never finishes its request
 * holds its socket for seconds, not minutes) and its idle connections' lifetime, envelope answers for requests the
 * parser refuses, a drain for the stop, and a budget of requests per turn of the event loop (turn-budget.ts).
 */
export function createHttpServer(app: HttpHandler, limits: HttpLimits): HttpServer {
  const server = createServer({
    headersTimeout: limits.headerDeadlineMs,
    requestTimeout: Math.max(limits.requestDeadlineMs, limits.headerDeadlineMs),
    keepAliveTimeout: limits.idleConnectionMs,
    connectionsCheckingInterval: checkEvery(limits),
    ...(app.IncomingMessage && { IncomingMessage: app.IncomingMessage }),
    ServerResponse: app.ServerResponse,
  });
  const drain = createHttpDrain(server);
  const budget = createTurnBudget();
  server.on('request', (req, res) => drain.admit(res) && budget(() => app.listener(req, res)));
  answerClientErrors(server, drain.owedOn);
  return { server, drain };
}
