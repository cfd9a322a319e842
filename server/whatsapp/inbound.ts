import type { WAMessage } from '@whiskeysockets/baileys';
import type { CoreEvents } from '../events.ts';
import type { MessageStore } from '../store/messages.ts';
import type { LidMappings } from '../store/lid-mappings.ts';
import { failureReasonOf, originOf, statusFromBaileys, toInboundMessage } from './message-mapping.ts';
import type { Origin } from './message-updates.ts';
import { secretOfReceived } from './received-rich-content.ts';
import { normalizeMessageContent } from '@whiskeysockets/baileys';
import type { Receipts } from './receipts.ts';
import type { InboundMedia } from './inbound-media.ts';
import { isMediaContent } from '../contract/message-content.ts';

export interface InboundDeps {
  messages: MessageStore;
  lids: LidMappings;
  events: CoreEvents;
  receipts: Receipts;
  /** Received media files: kept and downloaded (absent: not kept, e.g. in the session tests). */
  media?: Pick<InboundMedia, 'keep'>;
  /** Reactions, edits, deletes and poll votes: true when the message was one of them. */
  updates(msg: WAMessage, origin: Origin): boolean;
}

/**
 * Baileys' 'messages.upsert': stores and announces what people send us. 'notify' is live; 'append' is what came in
 * while we were offline: both are messages someone sent us.
 */
export function createInbound({
  messages,
  lids,
  events,
  receipts,
  media,
  updates,
}: InboundDeps): (list: WAMessage[]) => void {
  /** A person's chat is their phone number when known (told now, or earlier), with their LID beside it. */
  const onePersonChat = (chatJid: string, chatLid: string | null): { chat_jid: string; chat_lid: string | null } => {
    if (chatJid.endsWith('@s.whatsapp.net') && chatLid) lids.remember({ pn: chatJid, lid: chatLid });
    if (chatJid.endsWith('@lid')) return { chat_jid: lids.pnOf(chatJid) ?? chatJid, chat_lid: chatJid };
    if (chatJid.endsWith('@s.whatsapp.net')) return { chat_jid: chatJid, chat_lid: chatLid ?? lids.lidOf(chatJid) };
    return { chat_jid: chatJid, chat_lid: null };
  };

  return (list) => {
    for (const msg of list) {
      // Our own sends are stored from sendMessage's return; their echo may still carry a merged receipt.
      if (msg.key.fromMe) {
        if (msg.key.id) receipts.apply(msg.key.id, statusFromBaileys(msg.status), failureReasonOf(msg));
        // Group members' receipts that came while Baileys still buffered the upsert are merged into it.
        receipts.onUserReceipts((msg.userReceipt ?? []).map((receipt) => ({ key: msg.key, receipt })));
        continue;
      }
      const now = Math.floor(Date.now() / 1000);
      const origin = originOf(msg, now);
      if (!origin) continue;
      const person = onePersonChat(origin.chat_jid, origin.chat_lid);
      const sender = origin.sender === origin.chat_jid ? person.chat_jid : origin.sender;
      const aliases = lids.aliasesOf(person.chat_jid);
      if (updates(msg, { chat_jid: person.chat_jid, aliases, sender, timestamp: origin.timestamp })) continue;
      const stored = toInboundMessage(msg, now);
      if (!stored) continue;
      const message = { ...stored, ...person, sender };
      const secret = message.kind === 'poll' ? secretOfReceived(normalizeMessageContent(msg.message)) : null;
      if (!messages.insert(message, secret)) continue;
      if (media && isMediaContent(message)) media.keep(msg);
      events.emit('message.received', message);
    }
  };
}
