import type { ContactDirectory } from './contact-directory.ts';
import type { Recipient } from './session.ts';

/**
 * Where a message to `chatJid` goes: a person is written to at their LID when WhatsApp has one for them
 * (LID-migrated people refuse their number); groups as they are. Null when the person is not on WhatsApp.
 * Asking needs the connection (a 503 without one) unless the directory already knows.
 */
export async function resolveRecipient(
  directory: Pick<ContactDirectory, 'lookup'>,
  chatJid: string,
): Promise<Recipient | null> {
  if (!chatJid.endsWith('@s.whatsapp.net') && !chatJid.endsWith('@lid'))
    return { chat_jid: chatJid, chat_lid: null, address: chatJid };
  const person = await directory.lookup(chatJid);
  if (!person.on_whatsapp) return null;
  return { chat_jid: person.jid ?? chatJid, chat_lid: person.lid, address: person.lid ?? chatJid };
}
