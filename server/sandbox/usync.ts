import { randomBytes } from 'node:crypto';
import { type BinaryNode, bytes, child, children, node, nowSeconds, userOf } from './frames.ts';
import type { SandboxState } from './sandbox-state.ts';
import { normalizeNumber } from './virtual-contacts.ts';

/**
 * The answer to a `usync` query: devices (the phone's companions with their key-index), LIDs, whether each user is
 * on WhatsApp, and a status, for each protocol the client asked about.
 */
export function usync(state: SandboxState, query: BinaryNode): BinaryNode {
  const protocols = children(child(query, 'query')).map((p) => p.tag);
  const users: BinaryNode[] = [];
  for (const u of children(child(query, 'list'), 'user')) {
    const jid = userJid(u);
    const who = jid ? userOf(jid) : null;
    if (!jid || !who) continue;
    users.push(
      node(
        'user',
        { jid },
        protocols.flatMap((p) => answer(state, p, who.user)),
      ),
    );
  }
  return node('usync', { sid: query.attrs.sid, index: '0', last: 'true' }, [
    node(
      'result',
      {},
      protocols.map((p) => node(p, {})),
    ),
    node('list', {}, users),
  ]);
}

/** The user's jid, or one made from the phone number it was looked up by. */
function userJid(u: BinaryNode): string | undefined {
  const contactNode = child(u, 'contact');
  const phoneQuery =
    contactNode && typeof contactNode.content !== 'undefined' ? bytes(contactNode)?.toString('utf8') : undefined;
  if (!u.attrs.jid && phoneQuery) return `${normalizeNumber(phoneQuery)}@s.whatsapp.net`;
  return u.attrs.jid;
}

function answer(state: SandboxState, protocol: string, user: string): BinaryNode[] {
  const isPhone = state.isPhoneUser(user);
  const contact = isPhone ? undefined : state.contactByUser(user);
  const onWa = isPhone || !!contact?.onWhatsApp;
  if (protocol === 'devices') {
    const list: BinaryNode[] = [];
    if (onWa) list.push(node('device', { id: '0' }));
    if (isPhone)
      for (const d of state.phone.devices)
        list.push(node('device', { id: String(d.device), 'key-index': String(d.keyIndex) }));
    return [
      node('devices', {}, [
        node('device-list', {}, list),
        node('key-index-list', { ts: nowSeconds() }, randomBytes(16)),
      ]),
    ];
  }
  if (protocol === 'lid') {
    if (isPhone) return [node('lid', { val: `${state.phone.lid}@lid` })];
    if (contact?.onWhatsApp) return [node('lid', { val: `${contact.lid}@lid` })];
    return [];
  }
  if (protocol === 'contact') return [node('contact', { type: onWa ? 'in' : 'out' })];
  if (protocol === 'status' && onWa)
    return [node('status', { t: nowSeconds() }, Buffer.from('Hey there! I am using WhatsApp.'))];
  return [];
}
