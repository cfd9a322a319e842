import { Router } from 'express';
import type { ContactDirectory } from '../../whatsapp/contact-directory.ts';
import { normaliseChatJid } from '../../contract/chat-id.ts';
import { sendOk } from '../envelope.ts';
import { ApiError } from '../../api-error.ts';

/** `GET /contacts/{phone}`: is this number (or LID) on WhatsApp, and under which addresses. */
export function createContactsRouter(deps: { directory: ContactDirectory }): Router {
  const router = Router();

  router.get('/contacts/:phone', async (req, res) => {
    const raw = String(req.params.phone ?? '');
    const jid = normaliseChatJid(raw);
    if (!jid || jid.endsWith('@g.us'))
      throw new ApiError(400, `Invalid phone "${raw}": use a phone number with country code, or a …@lid`);
    const info = await deps.directory.lookup(jid);
    sendOk(res, info.on_whatsapp ? 'On WhatsApp' : 'Not on WhatsApp', info);
  });

  return router;
}
