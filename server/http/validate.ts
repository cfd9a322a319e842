import { z } from 'zod';
import { ApiError } from '../api-error.ts';

/** zod's safeParse, whose failure is a plain `$ZodError` rather than an `Error`: no stack is captured for a 400. */
const safeParse = z.core._safeParse(z.core.$ZodError);

/** Parses with a zod schema; the first problem becomes a 400 in the caller's words. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = safeParse(schema, value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const message =
    issue.code === 'invalid_type' && issue.path.length === 0 ? 'Request body must be a JSON object' : issue.message;
  throw new ApiError(400, message);
}
