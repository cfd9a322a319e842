import { Router } from 'express';
import { sendOk } from '../envelope.ts';
import { ApiError } from '../../api-error.ts';
import { parseOrThrow } from '../validate.ts';
import type { WebhookStore } from '../../webhooks/webhook-store.ts';
import { CreateWebhookBody, DeliveriesQuery } from '../../contract/webhooks.ts';

type Store = Pick<WebhookStore, 'add' | 'list' | 'get' | 'remove' | 'resume' | 'deliveries'>;

/** The dashboard's webhooks at /admin/webhooks; a webhook's secret exists in the answer that creates it only. */
export function createAdminWebhooksRouter({ webhooks }: { webhooks: Store }): Router {
  const router = Router();
  const find = (id: string) => {
    const webhook = webhooks.get(id);
    if (!webhook) throw new ApiError(404, 'No webhook with this id');
    return webhook;
  };

  router.get('/webhooks', (_req, res) => {
    sendOk(res, 'Webhooks', webhooks.list());
  });

  router.post('/webhooks', (req, res) => {
    const { url, events } = parseOrThrow(CreateWebhookBody, req.body);
    const created = webhooks.add({ url, events });
    sendOk(res, 'Webhook created: copy its signing secret now, it is not shown again', created, 201);
  });

  router.delete('/webhooks/:id', (req, res) => {
    const removed = webhooks.remove(req.params.id);
    if (!removed) throw new ApiError(404, 'No webhook with this id');
    sendOk(res, 'Webhook removed', removed);
  });

  router.post('/webhooks/:id/resume', (req, res) => {
    if (find(req.params.id).status !== 'paused') throw new ApiError(409, 'Webhook is not paused');
    sendOk(res, 'Webhook resumed: its waiting deliveries are sent now', webhooks.resume(req.params.id));
  });

  router.get('/webhooks/:id/deliveries', (req, res) => {
    find(req.params.id);
    const { limit } = parseOrThrow(DeliveriesQuery, req.query);
    sendOk(res, 'Deliveries, newest first', webhooks.deliveries(req.params.id, limit));
  });

  return router;
}
