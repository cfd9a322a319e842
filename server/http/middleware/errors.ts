import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../../logger.ts';
import { sendFail } from '../envelope.ts';
import { requestPath } from '../request-url.ts';
import { ApiError } from '../../api-error.ts';
import { sizeInWords } from '../../contract/limits.ts';

export const notFound: RequestHandler = (req, res) => {
  sendFail(res, 404, `No such endpoint: ${req.method} ${requestPath(req)}`);
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof ApiError) return sendFail(res, err.code, err.message);
    const type = (err as { type?: string }).type;
    // body-parser says the limit it applied: the JSON limit, or the media send's larger one.
    if (type === 'entity.too.large')
      return sendFail(res, 413, `Request body is larger than ${sizeInWords((err as { limit: number }).limit)}`);
    if (type === 'entity.parse.failed') return sendFail(res, 400, 'Malformed JSON body');
    if (type === 'encoding.unsupported' || type === 'charset.unsupported')
      return sendFail(res, 415, 'Unsupported body encoding');
    if (err instanceof URIError) return sendFail(res, 400, 'The URL has a malformed %-encoding');
    const { status, expose, message } = err as { status?: number; expose?: boolean; message?: string };
    if (typeof status === 'number' && status >= 400 && status < 500)
      return sendFail(res, status, expose && message ? message : 'Bad request');
    logger.error({ err, method: req.method, path: requestPath(req) }, 'unhandled error in request');
    sendFail(res, 500, 'Internal server error');
  };
}
