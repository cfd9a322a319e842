import { Router } from 'express';
import { z } from 'zod';
import { sendOk } from '../envelope.ts';
import { ApiError } from '../../api-error.ts';
import { parseOrThrow } from '../validate.ts';
import { LOGGED_EVENT_TYPES } from '../../store/event-log.ts';
import { webhookUrlProblem, type WebhookStore } from '../../webhooks/webhook-store.ts';

export const CreateWebhookBody = z.object({
  url: z
    .string({ error: 'url is required' })
    .trim()
    .min(1, 'url is required')
    .superRefine((url, ctx) => {
      const problem = webhookUrlProblem(url);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  events: z
    .array(z.enum(LOGGED_EVENT_TYPES, { error: `events may only hold ${LOGGED_EVENT_TYPES.join(', ')}` }), {
      error: `events must be a list of ${LOGGED_EVENT_TYPES.join(', ')}`,
    })
    .min(1, 'events must name at least one event type (leave it out for all of them)')
    .optional(),
});

export const DeliveriesQuery = z.object({
  limit: z.coerce
    .number({ error: 'limit must be a whole number from 1 to 200' })
    .int('limit must be a whole number from 1 to 200')
    .min(1, 'limit must be a whole number from 1 to 200')
    .max(200, 'limit must be a whole number from 1 to 200')
    .default(50),
});

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
