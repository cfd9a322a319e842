import { RecentMessagesQuery } from '../../contract/messages.ts';
import { sendOk } from '../envelope.ts';
import { createApiRouter, type ApiRouter } from '../operations.ts';
import type { MessageStore } from '../../store/messages.ts';

/** The dashboard's recent activity at /admin/messages, newest first. */
export function createAdminMessagesRouter(deps: { messages: Pick<MessageStore, 'listRecent'> }): ApiRouter {
  const api = createApiRouter();

  api.route(
    {
      method: 'get',
      path: '/messages',
      summary: 'Recent messages, newest first',
      tag: 'Dashboard',
      auth: true,
      query: RecentMessagesQuery,
      errors: [400, 401],
    },
    ({ query }, res) => {
      sendOk(res, 'Recent messages', deps.messages.listRecent(query.limit));
    },
  );

  return api;
}
