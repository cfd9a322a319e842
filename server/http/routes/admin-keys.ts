import { Router } from 'express';
import { sendOk } from '../envelope.ts';
import { ApiError } from '../../api-error.ts';
import { parseOrThrow } from '../validate.ts';
import type { CoreEvents } from '../../events.ts';
import type { ApiKeyStore } from '../../store/api-keys.ts';
import { CreateKeyBody } from '../../contract/keys.ts';
import { DAY_MS } from '../../contract/lifetimes.ts';

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
