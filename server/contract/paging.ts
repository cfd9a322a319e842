import { z } from 'zod';
import type { PageSize } from './limits.ts';

/** The `limit` of a list query: a whole number up to the list's most, its default when left out. */
export function pageLimit(size: PageSize) {
  const error = `limit must be a whole number from 1 to ${size.max}`;
  return z.coerce.number({ error }).int(error).min(1, error).max(size.max, error).default(size.default);
}
