import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import * as nodeHttp from './node-http.ts';

/**
 * The dashboard loads only its own files: no CDN, no inline script, no framing. `data:` images carry the QR.
 * No CORS headers are ever sent, so other origins cannot read any answer.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const HEADERS = Object.entries({
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
});
/** The same, as the flat list `writeHead` takes. */
const LISTED = HEADERS.flat();

const OWED = Symbol('security headers owed');
const FIELDS = Symbol('fields kept for the head');
interface Head {
  [OWED]?: boolean;
  [FIELDS]?: string[] | null;
}

/**
 * On every answer, first of its headers. Written with the answer's head (`withHeads`), not set here: eight
 * `setHeader` calls an answer (these six, a JSON answer's type and length) were the largest part of our own HTTP work
 * in a send (npm run bench, messages; NOTES.md, glue).
 */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  (res as Head)[OWED] = true;
  next();
};

/**
 * Fields for the answer's head, after the security headers (a JSON answer's type and length): kept for the head while
 * the answer has set no header of its own, so that node gets the whole head as one list and keeps no record per
 * header; set now otherwise. `null` forgets fields kept (an answer that changes its body before it leaves).
 */
export function headFields(res: ServerResponse, fields: string[] | null): void {
  if (fields && (!(FIELDS in res) || res.getHeaderNames().length > 0)) {
    for (let i = 0; i < fields.length; i += 2) res.setHeader(fields[i]!, fields[i + 1]!);
    return;
  }
  (res as Head)[FIELDS] = fields;
}

type WriteHead = (this: ServerResponse, ...args: unknown[]) => ServerResponse;

/** Node's own: express's response has none of its own. */
const nodeWriteHead = nodeHttp.ServerResponse.prototype.writeHead as WriteHead;

/**
 * The head as if the answer had set the security headers before anything else, then the fields kept by
 * `headFields`: in one list when the answer set no header itself, else set ahead of its own.
 */
const writeHead: WriteHead = function (this: ServerResponse & Head, ...args) {
  const owed = this[OWED] === true;
  const fields = this[FIELDS] ?? null;
  if (!owed && !fields) return nodeWriteHead.apply(this, args);
  this[OWED] = false;
  this[FIELDS] = null;
  if (args.length === 1 && this.getHeaderNames().length === 0) {
    const list = owed ? (fields ? [...LISTED, ...fields] : LISTED) : fields!;
    return nodeWriteHead.call(this, args[0], list);
  }
  // Headers of its own: ours go first, as if set before them.
  const raw = (this as ServerResponse & { getRawHeaderNames(): string[] }).getRawHeaderNames();
  const own = raw.map((name) => [name, this.getHeader(name)!] as const);
  for (const [name] of own) this.removeHeader(name);
  if (owed) for (const [name, value] of HEADERS) this.setHeader(name, value);
  for (let i = 0; fields && i < fields.length; i += 2) this.setHeader(fields[i]!, fields[i + 1]!);
  for (const [name, value] of own) this.setHeader(name, value);
  return nodeWriteHead.apply(this, args);
};

/** Responses made from `prototype` (or from one under it) write their heads so. */
export function writesHeads(prototype: object): void {
  Object.defineProperty(prototype, 'writeHead', { value: writeHead, writable: true, configurable: true });
}

/**
 * The server's responses, writing their heads with the security headers; express, once loaded, gives each response it
 * serves its app's prototype, which `writesHeads` is given too (server/http/app.ts).
 */
export function withHeads(Base: typeof ServerResponse): typeof ServerResponse {
  class Heads extends Base {
    [FIELDS]: string[] | null = null;
  }
  writesHeads(Heads.prototype);
  return Heads as typeof ServerResponse;
}
