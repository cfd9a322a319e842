import { Router } from 'express';
import { z } from 'zod';
import { sendOk } from '../envelope.ts';
import { ApiError } from '../../api-error.ts';
import { parseOrThrow } from '../validate.ts';
import { KeyName } from '../schemas.ts';
import type { CoreEvents } from '../../events.ts';
import type { ApiKeyStore } from '../../store/api-keys.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export const CreateKeyBody = z.object({
  name: KeyName,
  expires_in_days: z
    .number({ error: 'expires_in_days must be a whole number of days' })
    .int('expires_in_days must be a whole number of days')
    .min(1, 'expires_in_days must be from 1 to 3650')
    .max(3650, 'expires_in_days must be from 1 to 3650')
    .nullable()
    .optional(),
});

/** The dashboard's key management at /admin/keys; the plaintext key exists only in the answer that creates it. */
export function createAdminKeysRouter(deps: {
  keys: Pick<ApiKeyStore, 'create' | 'list' | 'revoke'>;
  events: CoreEvents;
}): Router {
  const { keys, events } = deps;
  const router = Router();

  router.get('/keys', (_req, res) => {
    sendOk(res, 'API keys', keys.list());
  });

  router.post('/keys', (req, res) => {
    const { name, expires_in_days } = parseOrThrow(CreateKeyBody, req.body);
    const expiresAt = expires_in_days ? Date.now() + expires_in_days * DAY_MS : null;
    const created = keys.create({ name, expiresAt });
    events.emit('keys.changed');
    sendOk(res, 'API key created: copy it now, it is not shown again', created, 201);
  });

  router.delete('/keys/:id', (req, res) => {
    const record = keys.revoke(req.params.id);
    if (!record) throw new ApiError(404, 'No API key with this id');
    events.emit('keys.changed');
    sendOk(res, 'API key revoked', record);
  });

  return router;
}
