import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { failure } from '../contract/envelope.ts';

export interface HttpDrain {
  /** Every request passes here first: true to handle it; while draining it is answered 503 here instead. */
  admit(res: ServerResponse): boolean;
  /** The responses still owed on a connection (its requests answered or not yet: pipelined ones wait their turn). */
  owedOn(socket: Socket): ServerResponse[];
  /**
   * Stops taking requests (each is answered 503), ends the event streams (EventSource reconnects), and resolves once
   * every request in flight has been answered, or after `deadlineMs`: the parts under the HTTP layer still run.
   */
  drain(deadlineMs: number): Promise<void>;
  /**
   * Stops listening: a new connection is refused from here on (rather than taken and then cut by the close), while
   * the requests already in still get their answers, each closing its connection.
   */
  stopListening(): void;
  /**
   * The end, once the parts under the HTTP layer have stopped (their requests have failed and answered by then): a
   * request still without an answer gets a 503 that says its outcome is unknown, then the port and every connection
   * close.
   */
  close(): Promise<void>;
}

const STOPPING = 'WaGate is stopping: this request was not handled and nothing was sent. Try again once it is back';
const UNKNOWN = 'WaGate stopped before this request finished: whether it took effect is unknown';

const isEventStream = (res: ServerResponse): boolean =>
  res.headersSent && String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');

function answer503(res: ServerResponse, error: string): void {
  res
    .writeHead(503, {
      'content-type': 'application/json; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      connection: 'close',
    })
    .end(JSON.stringify(failure(503, error)));
}

/**
 * A stop that answers everyone: the responses still owed are tracked, so that a stop waits for each, refuses what
 * arrives meanwhile in words that say nothing was done, and answers the last ones itself before any connection closes.
 */
export function createHttpDrain(server: Server): HttpDrain {
  const open = new Set<ServerResponse>();
  let draining = false;
  let settled: (() => void) | null = null;
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));

  /** Resolves once no response is owed, or after `deadlineMs`. */
  function settle(deadlineMs: number): Promise<void> {
    if (open.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, deadlineMs);
      settled = () => {
        clearTimeout(timer);
        settled = null;
        resolve();
      };
    });
  }

  // One listener for every response (not a closure each): 'close' comes once per response.
  function answered(this: ServerResponse): void {
    open.delete(this);
    if (open.size === 0) settled?.();
  }

  return {
    admit(res) {
      open.add(res);
      res.on('close', answered);
      if (!draining) return true;
      answer503(res, STOPPING);
      return false;
    },

    owedOn(socket) {
      return [...open].filter((res) => res.req.socket === socket);
    },

    async drain(deadlineMs) {
      // Still listening: a request that arrives now, on a new connection or a kept-alive one, is answered 503
      // rather than met with a closed port or a reset.
      draining = true;
      for (const res of open) if (isEventStream(res)) res.end();
      await settle(deadlineMs);
    },

    stopListening() {
      if (server.listening) server.close();
      // Each connection closes after its answer: a client's next request finds the port closed, not a connection
      // about to be cut under it.
      for (const res of open) if (!res.headersSent) res.setHeader('connection', 'close');
    },

    async close() {
      for (const res of open) {
        if (res.headersSent) res.end();
        else answer503(res, UNKNOWN);
      }
      // Those last answers go out before the connections close under them.
      await settle(1000);
      if (server.listening) server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
