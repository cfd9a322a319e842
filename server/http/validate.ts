import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { sendFail } from './envelope.ts';
import { requestQuery } from './request-url.ts';

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

type Part = 'params' | 'query' | 'headers' | 'body';

/** A part parsed: its value, or its first problem in the caller's words. */
type Parse = { data: unknown; refusal?: undefined } | { refusal: string };

function parse(part: Part, schema: z.ZodType, value: unknown): Parse {
  const result = safeParse(schema, value ?? {});
  if (result.success) return { data: result.data };
  const issue = result.error.issues[0]!;
  const rootType = issue.code === 'invalid_type' && issue.path.length === 0;
  return { refusal: part === 'body' && rootType ? 'Request body must be a JSON object' : issue.message };
}

/** Parses `value` into `input[part]`; answers its first problem in the caller's words instead, if it has one. */
function parseInto(input: Record<string, unknown>, part: Part, schema: z.ZodType, value: unknown): string | undefined {
  const parsed = parse(part, schema, value);
  if (parsed.refusal !== undefined) return parsed.refusal;
  input[part] = parsed.data;
  return undefined;
}

/** A kept parse of an object schema into `input[part]` (a copy: the kept one is never handed out), or its refusal. */
function settleKept(input: Record<string, unknown>, part: Part, parsed: Parse): string | undefined {
  if (parsed.refusal !== undefined) return parsed.refusal;
  input[part] = { ...(parsed.data as object) };
  return undefined;
}

/** Path parameters' parses kept per route: a client writes to the same few chats again and again. */
const KEPT_PARAMS = 256;

/**
 * The parse of an operation's path parameters, kept for the values seen last: a schema's parse is the same for the
 * same strings (the chat's JID normalised, a refusal in the same words), and a send's costs a few regular expressions.
 */
function keptParams(schema: z.ZodObject): (params: Record<string, string>) => Parse {
  const kept = new Map<string, Parse>();
  return (params) => {
    const values = Object.values(params);
    const key = values.length === 1 ? values[0]! : JSON.stringify(values);
    let parsed = kept.get(key);
    if (!parsed) {
      parsed = parse('params', schema, params);
      if (kept.size >= KEPT_PARAMS) kept.clear();
      kept.set(key, parsed);
    }
    return parsed;
  };
}

/**
 * Checks params, query, headers and body in that order; the first problem answers 400, in the envelope (answered here
 * rather than thrown: a refused request is a common one and needs no Error).
 */
export function validate(schemas: RequestSchemas): RequestHandler {
  // Worked out once per route, not per request.
  const headerNames = schemas.headers
    ? Object.keys(schemas.headers.shape).map((name) => [name, name.toLowerCase()] as const)
    : [];
  const queryHeaders = Object.entries(schemas.queryFromHeaders ?? {}).map(
    ([header, field]) => [header.toLowerCase(), field] as const,
  );
  const queryOf = (req: Request): Record<string, unknown> => {
    const query = { ...requestQuery(req) };
    for (const [header, field] of queryHeaders) {
      const value = req.headers[header];
      if (value) query[field] = value;
    }
    return query;
  };
  const headersOf = (req: Request): Record<string, unknown> => {
    const headers: Record<string, unknown> = {};
    for (const [name, lower] of headerNames) headers[name] = req.headers[lower] || undefined;
    return headers;
  };
  const { params, query, headers, body, bodyPrecheck } = schemas;
  const paramsOf = params && keptParams(params);
  // Most requests carry none of the headers an operation reads: that parse is the same every time, made once.
  let noHeaders: Parse | null = null;
  const parseHeaders = (schema: z.ZodObject, req: Request): Parse => {
    if (headerNames.some(([, lower]) => req.headers[lower])) return parse('headers', schema, headersOf(req));
    return (noHeaders ??= parse('headers', schema, headersOf(req)));
  };
  return (req, res, next) => {
    const input: Record<string, unknown> = {};
    let refusal = paramsOf && settleKept(input, 'params', paramsOf(req.params as Record<string, string>));
    // The query is parsed from the URL only for an operation that has one.
    if (refusal === undefined && query) refusal = parseInto(input, 'query', query, queryOf(req));
    if (refusal === undefined && headers) refusal = settleKept(input, 'headers', parseHeaders(headers, req));
    refusal ??= bodyPrecheck?.(req.body);
    if (refusal === undefined && body) refusal = parseInto(input, 'body', body, req.body);
    if (refusal !== undefined) return sendFail(res, 400, refusal);
    res.locals.input = input;
    next();
  };
}

/** What `validate` parsed for this request. */
export function inputOf<S extends RequestSchemas>(res: Response): Input<S> {
  return res.locals.input as Input<S>;
}
