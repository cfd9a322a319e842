import { z } from 'zod';
import type { GroupDirectory } from '../../whatsapp/group-directory.ts';
import { sendOk } from '../envelope.ts';
import { createApiRouter, type ApiRouter } from '../operations.ts';
import { GroupDetailSchema, GroupParams, GroupSummarySchema } from '../../contract/groups.ts';

/** `GET /groups` and `GET /groups/{group_jid}`: the groups the linked phone is in. */
export function createGroupsRouter(deps: { groups: GroupDirectory }): ApiRouter {
  const api = createApiRouter();

  api.route(
    {
      method: 'get',
      path: '/groups',
      summary: 'The groups the linked phone is in: JID, subject, size',
      tag: 'Messages',
      auth: true,
      data: z.array(GroupSummarySchema),
      dataExample: [{ jid: '120363000000000001@g.us', subject: 'Family', size: 4 }],
      errors: [401, 500, 503],
    },
    async (_input, res) => {
      sendOk(res, 'The groups the phone is in', await deps.groups.list());
    },
  );

  api.route(
    {
      method: 'get',
      path: '/groups/{group_jid}',
      summary: 'One group: subject, description, participants (LID and phone number) with admin flags',
      tag: 'Messages',
      auth: true,
      params: GroupParams,
      data: GroupDetailSchema,
      errors: [400, 401, 404, 500, 503],
    },
    async ({ params }, res) => {
      sendOk(res, 'The group', await deps.groups.get(params.group_jid));
    },
  );

  return api;
}
