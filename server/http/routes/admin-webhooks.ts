import { sendOk } from '../envelope.ts';
import { ApiError } from '../../api-error.ts';
import { createApiRouter, type ApiRouter } from '../operations.ts';
import type { WebhookStore } from '../../webhooks/webhook-store.ts';
import { CreateWebhookBody, DeliveriesQuery, WebhookParams } from '../../contract/webhooks.ts';

type Store = Pick<WebhookStore, 'add' | 'list' | 'get' | 'remove' | 'resume' | 'deliveries'>;

/** The dashboard's webhooks at /admin/webhooks; a webhook's secret exists in the answer that creates it only. */
export function createAdminWebhooksRouter({ webhooks }: { webhooks: Store }): ApiRouter {
  const api = createApiRouter();
  const common = { tag: 'Dashboard', auth: true } as const;
  const find = (id: string) => {
    const webhook = webhooks.get(id);
    if (!webhook) throw new ApiError(404, 'No webhook with this id');
    return webhook;
  };

  api.route({ ...common, method: 'get', path: '/webhooks', summary: 'The webhooks', errors: [401] }, (_input, res) => {
    sendOk(res, 'Webhooks', webhooks.list());
  });

  api.route(
    {
      ...common,
      method: 'post',
      path: '/webhooks',
      summary: 'Register a webhook',
      body: CreateWebhookBody,
      errors: [400, 401],
    },
    ({ body }, res) => {
      const created = webhooks.add({ url: body.url, events: body.events });
      sendOk(res, 'Webhook created: copy its signing secret now, it is not shown again', created, 201);
    },
  );

  api.route(
    {
      ...common,
      method: 'delete',
      path: '/webhooks/{id}',
      summary: 'Remove a webhook',
      params: WebhookParams,
      errors: [401, 404],
    },
    ({ params }, res) => {
      const removed = webhooks.remove(params.id);
      if (!removed) throw new ApiError(404, 'No webhook with this id');
      sendOk(res, 'Webhook removed', removed);
    },
  );

  api.route(
    {
      ...common,
      method: 'post',
      path: '/webhooks/{id}/resume',
      summary: 'Resume a paused webhook',
      params: WebhookParams,
      errors: [401, 404, 409],
    },
    ({ params }, res) => {
      if (find(params.id).status !== 'paused') throw new ApiError(409, 'Webhook is not paused');
      sendOk(res, 'Webhook resumed: its waiting deliveries are sent now', webhooks.resume(params.id));
    },
  );

  api.route(
    {
      ...common,
      method: 'get',
      path: '/webhooks/{id}/deliveries',
      summary: "A webhook's deliveries, newest first",
      params: WebhookParams,
      query: DeliveriesQuery,
      errors: [400, 401, 404],
    },
    ({ params, query }, res) => {
      find(params.id);
      sendOk(res, 'Deliveries, newest first', webhooks.deliveries(params.id, query.limit));
    },
  );

  return api;
}
