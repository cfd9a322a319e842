import type { RequestHandler } from 'express';

/**
 * The common JSON request read without body-parser's machinery (content-type parsing, iconv, raw-body, debug: a fifth
 * of a rejected send's CPU in `npm run bench`): `application/json` (optionally `; charset=utf-8`), no
 * Content-Encoding, a Content-Length from 1 byte to `limitBytes`. Anything else goes to `fallback` (body-parser), which
 * answers every edge (compressed, chunked, other charsets, over the limit) as before.
 */
export function plainJson(limitBytes: number, fallback: RequestHandler): RequestHandler {
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
      const text = Buffer.concat(chunks)
        .toString('utf8')
        .replace(/^\uFEFF/, '');
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
export function isPlainJsonType(header: string | undefined): boolean {
  if (header === 'application/json') return true;
  if (header === undefined) return false;
  const [type, ...params] = header.toLowerCase().split(';');
  if (type!.trim() !== 'application/json') return false;
  return params.every((param) => /^\s*charset\s*=\s*"?utf-8"?\s*$/.test(param));
}
