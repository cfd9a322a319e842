import type { Connection } from './connection.ts';
import { type BinaryNode, child, children, node, S_WHATSAPP_NET, userOf } from './frames.ts';
import type { SandboxState } from './sandbox-state.ts';

/**
 * `<iq xmlns="privacy" type="set"><tokens><token jid t type="trusted_contact"/></tokens></iq>`: the account gives a
 * contact its trusted-contact token, which lets that contact's messages reach it as a contact's. WhatsApp Web issues one
 * per contact every 7 days, after a message (Baileys' tc-token-utils.js: `shouldSendNewTcToken`). The server counts
 * them on the contact, so that a test sees how often a client issues them.
 */
export function onPrivacyTokens(state: SandboxState, conn: Connection, iq: BinaryNode): void {
  for (const token of children(child(iq, 'tokens'), 'token')) {
    if (token.attrs.type !== 'trusted_contact') continue;
    const contact = state.contactByUser(userOf(token.attrs.jid ?? '')?.user ?? '');
    if (!contact) continue;
    // `t`: when the client issued it, Unix seconds; the server's own clock when it gives none.
    const seconds = Number(token.attrs.t);
    const lastIssuedAt = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : Date.now();
    contact.privacyTokens = { issued: (contact.privacyTokens?.issued ?? 0) + 1, lastIssuedAt };
    state.saveContact(contact);
  }
  conn.send(node('iq', { from: S_WHATSAPP_NET, type: 'result', id: iq.attrs.id }));
}
