import type { USyncQuery, USyncQueryResult } from '@whiskeysockets/baileys';
import type { LidMappings } from '../store/lid-mappings.ts';
import type { ContactInfo } from '../contract/contacts.ts';
import { CONTACT_CACHE_MS } from '../contract/lifetimes.ts';
import { unixSeconds } from '../contract/time.ts';

export interface ContactDirectoryDeps {
  /** Runs a usync query on the connected socket (503 when there is none). */
  usync(query: USyncQuery): Promise<USyncQueryResult | undefined>;
  /** A LID's phone number as Baileys learnt it (history sync, message envelopes), if it did. */
  knownPnOf(lid: string): Promise<string | null>;
  lids: LidMappings;
  now?: () => number;
}

export interface ContactDirectory {
  /** A person by phone-number JID or LID, asked once and kept for `CONTACT_CACHE_MS`. */
  lookup(jid: string): Promise<ContactInfo>;
  forget(): void;
}

const phoneOf = (pnJid: string | null) => (pnJid ? pnJid.split('@')[0]! : null);

/**
 * Baileys' query builders. Baileys loads after the port opens (core.ts), and a query only runs on a connected
 * socket: by then it is loaded, and this import costs nothing.
 */
const usyncBuilders = async () => {
  const { USyncQuery, USyncUser } = await import('@whiskeysockets/baileys');
  return { USyncQuery, USyncUser };
};

/** The one place that asks WhatsApp who a number or LID is; the send path and `GET /contacts/{phone}` share it. */
export function createContactDirectory(deps: ContactDirectoryDeps): ContactDirectory {
  const now = deps.now ?? Date.now;
  const cache = new Map<string, ContactInfo>();

  const fresh = (info: ContactInfo | undefined) =>
    info &&
    now() - info.checked_at * 1000 <
      (info.on_whatsapp ? CONTACT_CACHE_MS.on_whatsapp : CONTACT_CACHE_MS.not_on_whatsapp);

  async function byPhone(pnJid: string): Promise<ContactInfo> {
    const { USyncQuery, USyncUser } = await usyncBuilders();
    const query = new USyncQuery()
      .withContactProtocol()
      .withLIDProtocol()
      .withUser(new USyncUser().withPhone(`+${phoneOf(pnJid)}`));
    const [found] = (await deps.usync(query))?.list ?? [];
    const exists = Boolean(found?.contact);
    const lid = exists ? ((found?.lid as string | undefined) ?? deps.lids.lidOf(pnJid)) : null;
    if (lid) deps.lids.remember({ pn: pnJid, lid });
    return {
      phone: phoneOf(pnJid),
      on_whatsapp: exists,
      jid: exists ? pnJid : null,
      lid,
      checked_at: unixSeconds(now()),
    };
  }

  async function byLid(lid: string): Promise<ContactInfo> {
    const pn = deps.lids.pnOf(lid) ?? (await deps.knownPnOf(lid));
    if (pn) {
      deps.lids.remember({ pn, lid });
      return { phone: phoneOf(pn), on_whatsapp: true, jid: pn, lid, checked_at: unixSeconds(now()) };
    }
    // A LID nobody told us about: WhatsApp knows it if it lists devices for it.
    const { USyncQuery, USyncUser } = await usyncBuilders();
    const query = new USyncQuery().withDeviceProtocol().withUser(new USyncUser().withId(lid));
    const [found] = (await deps.usync(query))?.list ?? [];
    const devices = (found?.devices as { deviceList?: unknown[] } | undefined)?.deviceList ?? [];
    const exists = devices.length > 0;
    return { phone: null, on_whatsapp: exists, jid: null, lid: exists ? lid : null, checked_at: unixSeconds(now()) };
  }

  return {
    async lookup(jid) {
      const cached = cache.get(jid);
      // A LID's phone number may have been learnt since (a message, a lookup by number): that needs no asking.
      const learntPn = jid.endsWith('@lid') && !cached?.jid ? deps.lids.pnOf(jid) : null;
      if (fresh(cached) && !learntPn) return cached!;
      const info = jid.endsWith('@lid') ? await byLid(jid) : await byPhone(jid);
      cache.set(jid, info);
      return info;
    },
    forget: () => cache.clear(),
  };
}
