import type { z } from 'zod';
import { ApiError } from '../api-error.ts';

/** Parses with a zod schema; the first problem becomes a 400 in the caller's words. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const message =
    issue.code === 'invalid_type' && issue.path.length === 0 ? 'Request body must be a JSON object' : issue.message;
  throw new ApiError(400, message);
}
