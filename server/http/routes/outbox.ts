import { z } from 'zod';
import type { Sender } from '../../whatsapp/sender.ts';
import { OutboxEntrySchema } from '../../contract/outbox.ts';
import { MessageParams, MessageStatusChangeSchema } from '../../contract/messages.ts';
import { sendOk } from '../envelope.ts';
import { createApiRouter, type ApiRouter } from '../operations.ts';

/** `GET /outbox`: what is waiting to leave or failed; a failed message is retried or dropped here. */
export function createOutboxRouter(deps: { sender: Sender }): ApiRouter {
  const api = createApiRouter();

  api.route(
    {
      method: 'get',
      path: '/outbox',
      summary: 'Messages waiting to leave (scheduled, queued, sending) or failed, oldest first',
      tag: 'Messages',
      auth: true,
      data: z.array(OutboxEntrySchema),
      errors: [401],
    },
    (_input, res) => {
      sendOk(res, 'Messages in the outbox, oldest first', deps.sender.outbox());
    },
  );

  api.route(
    {
      method: 'post',
      path: '/outbox/{message_id}/retry',
      summary: 'Send a failed message again, with the same id',
      tag: 'Messages',
      auth: true,
      params: MessageParams,
      data: MessageStatusChangeSchema,
      dataExample: {
        message_id: '3EB0ABC123DEF456789',
        chat_jid: '6281234567890@s.whatsapp.net',
        status: 'queued',
        at: 1764080000,
      },
      errors: [401, 404],
    },
    ({ params }, res) => {
      sendOk(res, 'The message is queued again, with the same id', deps.sender.retry(params.message_id));
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/outbox/{message_id}',
      summary: 'Drop a failed message from the outbox (or cancel one that has not left)',
      tag: 'Messages',
      auth: true,
      params: MessageParams,
      data: z.object({ message_id: z.string() }).meta({ example: { message_id: '3EB0ABC123DEF456789' } }),
      errors: [401, 404, 409],
    },
    ({ params }, res) => {
      deps.sender.drop(params.message_id);
      sendOk(res, 'The message is out of the outbox; it was not and will not be sent', {
        message_id: params.message_id,
      });
    },
  );

  return api;
}
