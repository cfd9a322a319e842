import { Router } from 'express';
import { z } from 'zod';
import { sendOk } from '../envelope.ts';
import { parseOrThrow } from '../validate.ts';
import type { MessageStore } from '../../store/messages.ts';

const RecentQuery = z.object({
  limit: z.coerce
    .number({ error: 'limit must be a whole number from 1 to 100' })
    .int('limit must be a whole number from 1 to 100')
    .min(1, 'limit must be a whole number from 1 to 100')
    .max(100, 'limit must be a whole number from 1 to 100')
    .default(20),
});

/** The dashboard's recent activity at /admin/messages, newest first. */
export function createAdminMessagesRouter(deps: { messages: Pick<MessageStore, 'listRecent'> }): Router {
  const router = Router();

  router.get('/messages', (req, res) => {
    const { limit } = parseOrThrow(RecentQuery, req.query);
    sendOk(res, 'Recent messages', deps.messages.listRecent(limit));
  });

  return router;
}
