import { Router } from 'express';
import type { Sender } from '../../whatsapp/sender.ts';
import { sendOk } from '../envelope.ts';

/** `GET /outbox`: what is waiting to leave or failed; a failed message is retried or dropped here. */
export function createOutboxRouter(deps: { sender: Sender }): Router {
  const router = Router();

  router.get('/outbox', (_req, res) => {
    sendOk(res, 'Messages in the outbox, oldest first', deps.sender.outbox());
  });

  router.post('/outbox/:message_id/retry', (req, res) => {
    const change = deps.sender.retry(req.params.message_id);
    sendOk(res, 'The message is queued again, with the same id', change);
  });

  router.delete('/outbox/:message_id', (req, res) => {
    deps.sender.drop(req.params.message_id);
    sendOk(res, 'The message is out of the outbox; it was not and will not be sent', {
      message_id: req.params.message_id,
    });
  });

  return router;
}
