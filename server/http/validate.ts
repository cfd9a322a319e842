import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { ApiError } from '../api-error.ts';

/** zod's safeParse, whose failure is a plain `$ZodError` rather than an `Error`: no stack is captured for a 400. */
const safeParse = z.core._safeParse(z.core.$ZodError);

/** What a request may carry, each part checked by its zod schema before the handler runs. */
export interface RequestSchemas {
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Keyed by the header's name as documented (`Last-Event-ID`); read case-insensitively. */
  headers?: z.ZodObject;
  body?: z.ZodType;
  /**
   * A refusal of the body found without zod, in exactly the words zod's first issue would give (test/http/
   * body-precheck.test.ts holds each against zod): the common bad body is answered without zod's failure path.
   */
  bodyPrecheck?: (body: unknown) => string | undefined;
  /** Headers that stand in for a query field and win over it, as Last-Event-ID does for `last_event_id`. */
  queryFromHeaders?: Record<string, string>;
}

type Parsed<S, K extends keyof RequestSchemas> =
  S extends Record<K, infer T extends z.ZodType> ? z.output<T> : undefined;

/** The request's parts, parsed: what a handler works with instead of `req.params`, `req.query` and `req.body`. */
export interface Input<S extends RequestSchemas> {
  params: Parsed<S, 'params'>;
  query: Parsed<S, 'query'>;
  headers: Parsed<S, 'headers'>;
  body: Parsed<S, 'body'>;
}

/** The first problem of a value, as a 400 in the caller's words. */
function parse(schema: z.ZodType, value: unknown, part: keyof RequestSchemas): unknown {
  const result = safeParse(schema, value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const rootType = issue.code === 'invalid_type' && issue.path.length === 0;
  throw new ApiError(400, part === 'body' && rootType ? 'Request body must be a JSON object' : issue.message);
}

/** Checks params, query, headers and body in that order; the first problem answers 400, in the envelope. */
export function validate(schemas: RequestSchemas): RequestHandler {
  // Worked out once per route, not per request.
  const headerNames = schemas.headers ? Object.keys(schemas.headers.shape) : [];
  const queryHeaders = Object.entries(schemas.queryFromHeaders ?? {});
  const queryOf = (req: Request): Record<string, unknown> => {
    const query = { ...(req.query as Record<string, unknown>) };
    for (const [header, field] of queryHeaders) {
      const value = req.get(header);
      if (value) query[field] = value;
    }
    return query;
  };
  const headersOf = (req: Request): Record<string, unknown> => {
    const headers: Record<string, unknown> = {};
    for (const name of headerNames) headers[name] = req.get(name) || undefined;
    return headers;
  };
  return (req, res, next) => {
    const input: Record<string, unknown> = {};
    if (schemas.params) input.params = parse(schemas.params, req.params, 'params');
    // The query is parsed from the URL only for an operation that has one.
    if (schemas.query) input.query = parse(schemas.query, queryOf(req), 'query');
    if (schemas.headers) input.headers = parse(schemas.headers, headersOf(req), 'headers');
    const refusal = schemas.bodyPrecheck?.(req.body);
    if (refusal !== undefined) throw new ApiError(400, refusal);
    if (schemas.body) input.body = parse(schemas.body, req.body, 'body');
    res.locals.input = input;
    next();
  };
}

/** What `validate` parsed for this request. */
export function inputOf<S extends RequestSchemas>(res: Response): Input<S> {
  return res.locals.input as Input<S>;
}
