import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { inputOf, validate, type Input, type RequestSchemas } from './validate.ts';
import { jsonBody } from './middleware/json-body.ts';

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

export interface ApiRouter {
  router: Router;
  /** What the router serves, in the order it was declared. */
  operations: Operation[];
  route<const O extends Operation>(operation: O, handler: Handler<O>): void;
}

const placeholders = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!);

/** `{chat_jid}` → `:chat_jid` (in express 5, braces mean an optional part). */
const expressPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** A router whose every route is an operation: validated by its schemas, and listed for the document. */
export function createApiRouter(): ApiRouter {
  const router = Router();
  const json = jsonBody();
  const operations: Operation[] = [];
  return {
    router,
    operations,
    route(operation, handler) {
      const undeclared = placeholders(operation.path).filter((name) => !operation.params?.shape[name]);
      if (undeclared.length) throw new Error(`${operation.path}: declare {${undeclared.join('}, {')}} in params`);
      operations.push(operation);
      router[operation.method](
        expressPath(operation.path),
        ...(operation.body ? [operation.bodyReader ?? json] : []),
        ...(operation.before ?? []),
        validate(operation),
        (req: Request, res: Response) => handler(inputOf(res), res, req),
      );
    },
  };
}
