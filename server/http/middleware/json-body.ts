import type { RequestHandler } from 'express';
import { loadExpress } from '../express-on-demand.ts';
import { sendFail } from '../envelope.ts';
import { JSON_BODY_MAX_BYTES } from '../../contract/limits.ts';

/**
 * The body of an operation that takes JSON: a body of any other type is a 415, a bigger one than
 * `JSON_BODY_MAX_BYTES` a 413, an absent body reads as `{}`.
 * Operations without a body never run it: a body sent to them is not read.
 */
export function jsonBody(): RequestHandler {
  // body-parser (express's) for what the plain read leaves to it, loaded when the first such body comes.
  let fallback: RequestHandler | null = null;
  const read = plainJson(JSON_BODY_MAX_BYTES, (req, res, next) => {
    fallback ??= loadExpress().json({ limit: JSON_BODY_MAX_BYTES, strict: false });
    fallback(req, res, next);
  });
  return (req, res, next) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !isPlainJsonType(req.headers['content-type']) && !req.is('application/json'))
      return sendFail(res, 415, 'Content-Type must be application/json');
    read(req, res, next);
  };
}

/**
 * The common JSON request read without body-parser's machinery (content-type parsing, iconv, raw-body, debug: a fifth
 * of a rejected send's CPU in `npm run bench`): `application/json` (optionally `; charset=utf-8`), no
 * Content-Encoding, a Content-Length from 1 byte to `limitBytes`. Anything else goes to `fallback` (body-parser), which
 * answers every edge (compressed, chunked, other charsets, over the limit) as before.
 */
function plainJson(limitBytes: number, fallback: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const length = Number(req.headers['content-length']);
    if (
      !isPlainJsonType(req.headers['content-type']) ||
      req.headers['content-encoding'] !== undefined ||
      req.headers['transfer-encoding'] !== undefined ||
      !(length > 0 && length <= limitBytes)
    )
      return fallback(req, res, next);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', (error) => next(Object.assign(error, { status: 400, type: 'request.aborted' })));
    req.on('end', () => {
      // As body-parser reads UTF-8: invalid bytes become U+FFFD, a byte order mark is dropped.
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const read = bytes.toString('utf8');
      const text = read.charCodeAt(0) === 0xfeff ? read.slice(1) : read;
      try {
        req.body = JSON.parse(text);
      } catch {
        return next(Object.assign(new Error('Malformed JSON body'), { status: 400, type: 'entity.parse.failed' }));
      }
      next();
    });
  };
}

/** `application/json`, alone or with `charset=utf-8`, in any case and spacing. */
function isPlainJsonType(header: string | undefined): boolean {
  if (header === 'application/json') return true;
  if (header === undefined) return false;
  const [type, ...params] = header.toLowerCase().split(';');
  if (type!.trim() !== 'application/json') return false;
  return params.every((param) => /^\s*charset\s*=\s*"?utf-8"?\s*$/.test(param));
}
