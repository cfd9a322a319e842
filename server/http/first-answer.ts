import type { Server, ServerResponse } from 'node:http';

/**
 * Resolves once the first request the server takes after this call has been answered (its response finished, or its
 * connection closed), or after `waitMs`, whichever comes first. An event stream counts only when it ends, so a
 * dashboard that opens one at once lets the wait run out. The timer does not hold the process open.
 */
export function firstAnswer(server: Server, waitMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      server.off('request', onRequest);
      resolve();
    };
    const onRequest = (_req: unknown, res: ServerResponse) => {
      // The app may have answered before this listener ran: its 'finish' is then already behind us.
      if (res.writableFinished) return done();
      res.once('finish', done).once('close', done);
    };
    const timer = setTimeout(done, waitMs).unref();
    server.on('request', onRequest);
  });
}
