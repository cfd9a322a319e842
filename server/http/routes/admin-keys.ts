import { sendOk } from '../envelope.ts';
import { ApiError } from '../../api-error.ts';
import { createApiRouter, type ApiRouter } from '../operations.ts';
import type { CoreEvents } from '../../events.ts';
import type { ApiKeyStore } from '../../store/api-keys.ts';
import { CreateKeyBody, KeyParams } from '../../contract/keys.ts';
import { DAY_MS } from '../../contract/lifetimes.ts';

/** The dashboard's key management at /admin/keys; the plaintext key exists only in the answer that creates it. */
export function createAdminKeysRouter(deps: {
  keys: Pick<ApiKeyStore, 'create' | 'list' | 'revoke'>;
  events: CoreEvents;
}): ApiRouter {
  const { keys, events } = deps;
  const api = createApiRouter();
  const common = { tag: 'Dashboard', auth: true } as const;

  api.route({ ...common, method: 'get', path: '/keys', summary: 'The API keys', errors: [401] }, (_input, res) => {
    sendOk(res, 'API keys', keys.list());
  });

  api.route(
    { ...common, method: 'post', path: '/keys', summary: 'Create a key', body: CreateKeyBody, errors: [400, 401] },
    ({ body }, res) => {
      const expiresAt = body.expires_in_days ? Date.now() + body.expires_in_days * DAY_MS : null;
      const created = keys.create({ name: body.name, expiresAt });
      events.emit('keys.changed');
      sendOk(res, 'API key created: copy it now, it is not shown again', created, 201);
    },
  );

  api.route(
    { ...common, method: 'delete', path: '/keys/{id}', summary: 'Revoke a key', params: KeyParams, errors: [401, 404] },
    ({ params }, res) => {
      const record = keys.revoke(params.id);
      if (!record) throw new ApiError(404, 'No API key with this id');
      events.emit('keys.changed');
      sendOk(res, 'API key revoked', record);
    },
  );

  return api;
}
