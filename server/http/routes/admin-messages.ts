import { Router } from 'express';
import { RecentMessagesQuery } from '../../contract/messages.ts';
import { sendOk } from '../envelope.ts';
import { parseOrThrow } from '../validate.ts';
import type { MessageStore } from '../../store/messages.ts';

/** The dashboard's recent activity at /admin/messages, newest first. */
export function createAdminMessagesRouter(deps: { messages: Pick<MessageStore, 'listRecent'> }): Router {
  const router = Router();

  router.get('/messages', (req, res) => {
    const { limit } = parseOrThrow(RecentMessagesQuery, req.query);
    sendOk(res, 'Recent messages', deps.messages.listRecent(limit));
  });

  return router;
}
