import { z } from 'zod';
import { MAX_KEY_EXPIRY_DAYS, MAX_KEY_NAME_LENGTH } from './limits.ts';

export type ApiKeyStatus = 'active' | 'expired' | 'revoked';

export interface ApiKeyRecord {
  id: string;
  name: string;
  /** The part of the key that may be shown again (`wg_1a2b3c4d`), to recognise it in lists and logs. */
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
  revoked_at: number | null;
  status: ApiKeyStatus;
}

/** An API key's name, the same rule for the dashboard and `wagate keys create`. */
export const KeyName = z
  .string({ error: 'Name is required' })
  .trim()
  .min(1, 'Name is required')
  .max(MAX_KEY_NAME_LENGTH, `Name must be at most ${MAX_KEY_NAME_LENGTH} characters`);

const EXPIRY_ERROR = `expires_in_days must be from 1 to ${MAX_KEY_EXPIRY_DAYS}`;

/** `POST /admin/keys`. */
export const CreateKeyBody = z.object({
  name: KeyName,
  expires_in_days: z
    .number({ error: 'expires_in_days must be a whole number of days' })
    .int('expires_in_days must be a whole number of days')
    .min(1, EXPIRY_ERROR)
    .max(MAX_KEY_EXPIRY_DAYS, EXPIRY_ERROR)
    .nullable()
    .optional(),
});

export const KeyParams = z.object({ id: z.string() });
