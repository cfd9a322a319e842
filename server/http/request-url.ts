import { parse } from 'node:querystring';
import type { Request } from 'express';

/**
 * An origin-form target that express's URL parser (parseurl) splits at its first `?` as it is; with any of these
 * characters it hands the URL to Node's legacy `url.parse` instead, and so do these functions (through express).
 */
const PLAIN_TARGET = /^\/[^\t\n\f\r #\u00a0\ufeff]*$/;

/** `req.path` as express says it, without loading express for a plain target. */
export function requestPath(req: Request): string {
  if (!PLAIN_TARGET.test(req.url)) return req.path;
  const query = req.url.indexOf('?');
  return query < 0 ? req.url : req.url.slice(0, query);
}

/** `req.query` as express says it with the `simple` query parser (node:querystring), without loading express. */
export function requestQuery(req: Request): Record<string, unknown> {
  if (!PLAIN_TARGET.test(req.url)) return req.query as Record<string, unknown>;
  const query = req.url.indexOf('?');
  return parse(query < 0 ? '' : req.url.slice(query + 1));
}
