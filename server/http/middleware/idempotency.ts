import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { IdempotencyStore } from '../../store/idempotency.ts';
import { ApiError } from '../../api-error.ts';
import type { Envelope } from '../../contract/envelope.ts';
import { observeAnswer, sendEnvelope } from '../envelope.ts';
import { requestPath } from '../request-url.ts';

interface Answer {
  code: number;
  body: Envelope<unknown>;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * A sent message (200) and one in the outbox (202) are remembered; any other answer sent nothing and never will, so
 * it frees the key and a retry can send.
 */
const isFinal = (code: number) => code === 200 || code === 202;

function fingerprint(method: string, path: string, body: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(body ?? null);
  } catch {
    // Only a body nested thousands deep overflows the stack here; no send request looks like that.
    throw new ApiError(400, 'Request body is nested too deeply');
  }
  return createHash('sha256').update(`${method} ${path}\n${json}`).digest('hex');
}

/** The envelope the handler answers with, so the handler stays unaware of idempotency. */
function captureAnswer(res: Response): Promise<Answer> {
  return new Promise((resolve) => observeAnswer(res, (code, body) => resolve({ code, body })));
}

function replay(res: Response, { code, body }: Answer): void {
  res.setHeader('Idempotent-Replayed', 'true');
  sendEnvelope(res, code, body);
}

/**
 * `Idempotency-Key`: a repeat with the same key and body within 24 h answers the first result and never sends
 * twice, also while the first is still in flight (it waits for it); the same key with another body is a 422.
 */
export function idempotency(store: IdempotencyStore): RequestHandler {
  const inFlight = new Map<string, { fingerprint: string; answer: Promise<Answer> }>();
  const withKey = async (req: Request, res: Response, next: NextFunction, key: string) => {
    if (!KEY_PATTERN.test(key)) throw new ApiError(400, 'Idempotency-Key must be 1 to 255 printable ASCII characters');
    const scope = String(res.locals.callerId ?? 'anonymous');
    const print = fingerprint(req.method, requestPath(req), req.body);
    const slot = `${scope}\n${key}`;

    const running = inFlight.get(slot);
    if (running) {
      if (running.fingerprint !== print)
        throw new ApiError(422, 'Idempotency-Key was already used with a different request');
      return replay(res, await running.answer);
    }
    const claim = store.claim(scope, key, print);
    if (claim.kind === 'mismatch') throw new ApiError(422, 'Idempotency-Key was already used with a different request');
    if (claim.kind === 'interrupted')
      throw new ApiError(
        409,
        'A request with this Idempotency-Key was interrupted; whether it was sent is unknown: check GET /chats/{chat_jid}/messages',
      );
    if (claim.kind === 'replay') return replay(res, { code: claim.code, body: claim.body as Envelope<unknown> });

    const answer = captureAnswer(res);
    inFlight.set(slot, { fingerprint: print, answer });
    answer
      .then(({ code, body }) => (isFinal(code) ? store.finish(scope, key, code, body) : store.release(scope, key)))
      // The store is closing (shutdown): the claim stays open and the next start answers 409 for it, never a resend.
      .catch(() => undefined)
      .finally(() => inFlight.delete(slot));
    next();
  };
  // Synchronous when there is no key (most requests): an async middleware costs every request a promise.
  return (req, res, next) => {
    // Node joins a repeated header of this kind into one string (`a, b`), as express's `req.get` read it.
    const key = req.headers['idempotency-key'] as string | undefined;
    return key === undefined ? next() : withKey(req, res, next, key);
  };
}
