import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { Logger } from '../../logger.ts';
import { sendFail } from '../envelope.ts';
import { ApiError } from '../../api-error.ts';
import { isPlainJsonType, plainJson } from './plain-json.ts';

/** Bodies beyond this are refused with 413: a WhatsApp text is at most 65,536 characters. */
const BODY_LIMIT = '300kb';
const BODY_LIMIT_BYTES = 300 * 1024;

/** JSON bodies only: a body of any other type is a 415, an absent body reads as `{}`. */
export function jsonBody(): RequestHandler[] {
  const requireJson: RequestHandler = (req, res, next) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !isPlainJsonType(req.headers['content-type']) && !req.is('application/json'))
      return sendFail(res, 415, 'Content-Type must be application/json');
    next();
  };
  return [requireJson, plainJson(BODY_LIMIT_BYTES, express.json({ limit: BODY_LIMIT, strict: false }))];
}

export const notFound: RequestHandler = (req, res) => {
  sendFail(res, 404, `No such endpoint: ${req.method} ${req.path}`);
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof ApiError) return sendFail(res, err.code, err.message);
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') return sendFail(res, 413, `Request body is larger than ${BODY_LIMIT}`);
    if (type === 'entity.parse.failed') return sendFail(res, 400, 'Malformed JSON body');
    if (type === 'encoding.unsupported' || type === 'charset.unsupported')
      return sendFail(res, 415, 'Unsupported body encoding');
    if (err instanceof URIError) return sendFail(res, 400, 'The URL has a malformed %-encoding');
    const { status, expose, message } = err as { status?: number; expose?: boolean; message?: string };
    if (typeof status === 'number' && status >= 400 && status < 500)
      return sendFail(res, status, expose && message ? message : 'Bad request');
    logger.error({ err, method: req.method, path: req.path }, 'unhandled error in request');
    sendFail(res, 500, 'Internal server error');
  };
}
