import type { ContactDirectory } from '../../whatsapp/contact-directory.ts';
import { sendOk } from '../envelope.ts';
import { createApiRouter, type ApiRouter } from '../operations.ts';
import { ContactInfoSchema, ContactParams } from '../../contract/contacts.ts';
import { CONTACT_CACHE_MS, HOUR_MS, MINUTE_MS } from '../../contract/lifetimes.ts';

/** `GET /contacts/{phone}`: is this number (or LID) on WhatsApp, and under which addresses. */
export function createContactsRouter(deps: { directory: ContactDirectory }): ApiRouter {
  const api = createApiRouter();

  api.route(
    {
      method: 'get',
      path: '/contacts/{phone}',
      summary: `Is this number (or …@lid) on WhatsApp, and its JID and LID (cached: a yes for ${
        CONTACT_CACHE_MS.on_whatsapp / HOUR_MS
      } h, a no for ${CONTACT_CACHE_MS.not_on_whatsapp / MINUTE_MS} min)`,
      tag: 'Messages',
      auth: true,
      params: ContactParams,
      data: ContactInfoSchema,
      dataExample: {
        phone: '6281234567890',
        on_whatsapp: true,
        jid: '6281234567890@s.whatsapp.net',
        lid: '123456789012345@lid',
        checked_at: 1764080000,
      },
      errors: [400, 401, 500, 503],
    },
    async ({ params }, res) => {
      const info = await deps.directory.lookup(params.phone);
      sendOk(res, info.on_whatsapp ? 'On WhatsApp' : 'Not on WhatsApp', info);
    },
  );

  return api;
}
