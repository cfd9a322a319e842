import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { inputOf, validate, type Input, type RequestSchemas } from './validate.ts';
import { jsonBody } from './middleware/json-body.ts';
import { runChain } from './middleware-chain.ts';

/**
 * One HTTP operation, declared where its handler is: how it is called and what it answers. The router validates
 * requests with its schemas, and the OpenAPI document (server/http/openapi.ts) is written from the same list.
 */
export interface Operation extends RequestSchemas {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI style: `/chats/{chat_jid}/messages`; each `{name}` is a key of `params`. */
  path: string;
  summary: string;
  tag: string;
  /** Whether it needs an API key (the dashboard's session also opens it). */
  auth: boolean;
  bodyExample?: unknown;
  /** The body may also come as `multipart/form-data`: the same fields as text parts, plus this file part. */
  upload?: { field: string; description: string };
  /** The schema of `data` in a success envelope; absent for answers that are not JSON. */
  data?: z.ZodType;
  dataExample?: unknown;
  /** `data` of a 202: accepted, not done yet. */
  accepted?: { data: z.ZodType; description: string };
  /** A send's 200 `message`, as its handler says it (the document's example); a text's words when absent. */
  sentWords?: string;
  /** A success answer that is not JSON. */
  produces?: 'image/png' | 'text/event-stream' | 'application/octet-stream';
  /** The error codes it may answer, each in the envelope. */
  errors: number[];
  /**
   * Reads the body, for an operation with a `body`: JSON (`jsonBody`) unless it says otherwise (the media send also
   * takes multipart). An operation without a `body` reads none: a body sent to it is ignored.
   */
  bodyReader?: RequestHandler;
  /** Middleware that runs once the body is read, before validation (the Idempotency-Key check wants it unparsed). */
  before?: RequestHandler[];
}

export type Handler<O extends Operation> = (input: Input<O>, res: Response, req: Request) => unknown;

/** An operation and the middleware that answers it, in order. */
export interface Route {
  operation: Operation;
  chain: RequestHandler[];
}

/** Operations declared together (a routes file's): `serveOperations` serves them, the OpenAPI document lists them. */
export interface ApiRouter {
  /** What the router serves, in the order it was declared. */
  operations: Operation[];
  routes: Route[];
  route<const O extends Operation>(operation: O, handler: Handler<O>): void;
}

const placeholders = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!);

/** A router whose every route is an operation: validated by its schemas, and listed for the document. */
export function createApiRouter(): ApiRouter {
  const json = jsonBody();
  const api: ApiRouter = {
    operations: [],
    routes: [],
    route(operation, handler) {
      const undeclared = placeholders(operation.path).filter((name) => !operation.params?.shape[name]);
      if (undeclared.length) throw new Error(`${operation.path}: declare {${undeclared.join('}, {')}} in params`);
      api.operations.push(operation);
      api.routes.push({
        operation,
        chain: [
          ...(operation.body ? [operation.bodyReader ?? json] : []),
          ...(operation.before ?? []),
          validate(operation),
          (req: Request, res: Response) => handler(inputOf(res), res, req),
        ],
      });
    },
  };
  return api;
}

/** One path segment of an operation: a literal (lowercase: paths match in any case, as express's did) or a `{name}`. */
type Segment = { literal: string } | { param: string };

interface Entry {
  segments: Segment[];
  chain: RequestHandler[];
}

const segmentsOf = (path: string): Segment[] =>
  path
    .split('/')
    .slice(1)
    .map((part) => {
      const param = /^\{(\w+)\}$/.exec(part)?.[1];
      return param ? { param } : { literal: part.toLowerCase() };
    });

/** The path's parameters when `parts` is this entry's path, else null; a malformed %-encoding throws a URIError. */
function matchOf(entry: Entry, parts: string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const segment = entry.segments[i]!;
    const part = parts[i]!;
    if ('literal' in segment) {
      if (segment.literal !== part.toLowerCase()) return null;
    } else {
      if (part === '') return null;
      params[segment.param] = part.includes('%') ? decodeURIComponent(part) : part;
    }
  }
  return params;
}

/**
 * Serves the operations of `apis` from one table, keyed by method and number of path segments: the matching
 * operation's chain runs (behind `auth` when the operation needs a key and `auth` is given), any other request goes
 * on to the next middleware. One lookup instead of express's layer-by-layer walk, a fifth of a refused request's CPU.
 */
export function serveOperations(apis: ApiRouter[], options: { auth?: RequestHandler } = {}): RequestHandler {
  const table = new Map<string, Entry[]>();
  for (const { operation, chain } of apis.flatMap((api) => api.routes)) {
    const segments = segmentsOf(operation.path);
    const key = `${operation.method.toUpperCase()} ${segments.length}`;
    const guarded = operation.auth && options.auth ? [options.auth, ...chain] : chain;
    table.set(key, [...(table.get(key) ?? []), { segments, chain: guarded }]);
  }
  return (req, res, next) => {
    // An absolute-form target (`GET http://host/path`) is left to express's parser.
    const query = req.url.indexOf('?');
    let path = req.url[0] !== '/' ? req.path : query < 0 ? req.url : req.url.slice(0, query);
    // One trailing slash is ignored, as express's non-strict routing did.
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    const parts = path.split('/').slice(1);
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    try {
      for (const entry of table.get(`${method} ${parts.length}`) ?? []) {
        const params = matchOf(entry, parts);
        if (!params) continue;
        req.params = params;
        return runChain(entry.chain, req, res, next);
      }
    } catch (malformed) {
      return next(malformed);
    }
    next();
  };
}
