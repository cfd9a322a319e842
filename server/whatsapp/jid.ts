/** The phone number of a person's JID ("6281…@s.whatsapp.net" → "6281…"), or null for groups and LIDs. */
export function phoneOfJid(jid: string): string | null {
  const [user, server] = jid.split('@');
  return server === 's.whatsapp.net' && user ? user.replace(/:\d+$/, '') : null;
}
