import { Router } from 'express';
import type { GroupDirectory } from '../../whatsapp/group-directory.ts';
import { normaliseChatJid } from '../../contract/chat-id.ts';
import { sendOk } from '../envelope.ts';
import { ApiError } from '../../api-error.ts';

/** `GET /groups` and `GET /groups/{group_jid}`: the groups the linked phone is in. */
export function createGroupsRouter(deps: { groups: GroupDirectory }): Router {
  const router = Router();

  router.get('/groups', async (_req, res) => {
    sendOk(res, 'The groups the phone is in', await deps.groups.list());
  });

  router.get('/groups/:group_jid', async (req, res) => {
    const raw = String(req.params.group_jid ?? '');
    const jid = normaliseChatJid(raw.includes('@') ? raw : `${raw}@g.us`);
    if (!jid?.endsWith('@g.us')) throw new ApiError(400, `Invalid group_jid "${raw}": use a group JID (…@g.us)`);
    sendOk(res, 'The group', await deps.groups.get(jid));
  });

  return router;
}
