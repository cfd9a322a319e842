import type { Response } from 'express';
import { failure, success, type Envelope } from '../contract/envelope.ts';
import { headFields } from './security-headers.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

type AnswerObserver = (code: number, body: Envelope<unknown>) => void;

const observers = new WeakMap<Response, AnswerObserver>();

/** Answers in the envelope of server/contract/envelope.ts. */
export function sendOk<T>(res: Response, message: string, data: T, code = 200): void {
  sendEnvelope(res, code, success(message, data, code));
}

export function sendFail(res: Response, code: number, error: string): void {
  sendEnvelope(res, code, failure(code, error));
}

/**
 * Tells `observer` the code and envelope this response answers with, once it does (the Idempotency-Key keeps it), so
 * that handlers stay unaware of who listens.
 */
export function observeAnswer(res: Response, observer: AnswerObserver): void {
  observers.set(res, observer);
}

/**
 * Writes an envelope as express's `res.json` did, with the same headers (`application/json; charset=utf-8`, its
 * length, no body for HEAD), without express's per-answer settings lookups and Content-Type parsing: an API answer's
 * largest cost after Node's own. A conditional GET (If-None-Match, If-Modified-Since) still goes through `res.json`,
 * which knows HTTP's freshness rules.
 */
export function sendEnvelope(res: Response, code: number, body: Envelope<unknown>): void {
  observers.get(res)?.(code, body);
  sendJson(res, code, body);
}

/** Any JSON answer, written as `sendEnvelope` writes an envelope. */
export function sendJson(res: Response, code: number, body: unknown): void {
  const { headers, method } = res.req;
  if (headers['if-none-match'] !== undefined || headers['if-modified-since'] !== undefined) {
    res.status(code).json(body);
    return;
  }
  const json = JSON.stringify(body);
  res.statusCode = code;
  headFields(res, ['Content-Type', JSON_TYPE, 'Content-Length', String(Buffer.byteLength(json))]);
  if (method === 'HEAD') res.end();
  else res.end(json);
}
