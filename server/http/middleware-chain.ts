import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Runs `chain` in order as express's router would (each handler calls `next` to go on; a thrown error, a rejected
 * promise or `next(error)` goes to `done(error)`), then `done()`, without express's per-layer path matching.
 */
export function runChain(chain: RequestHandler[], req: Request, res: Response, done: NextFunction): void {
  let index = 0;
  const next = (error?: unknown): void => {
    if (error) return done(error);
    const handler = chain[index++];
    if (!handler) return done();
    try {
      const result: unknown = handler(req, res, next);
      if (result instanceof Promise) result.catch((rejection: unknown) => next(rejection ?? new Error('Rejected')));
    } catch (thrown) {
      next(thrown ?? new Error('Thrown'));
    }
  };
  next();
}
