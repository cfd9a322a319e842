import type { WAMessage } from '@whiskeysockets/baileys';
import type { CoreEvents } from '../events.ts';
import type { MessageStore } from '../store/messages.ts';
import { statusFromBaileys, toInboundMessage } from './message-mapping.ts';
import type { Receipts } from './receipts.ts';

export interface InboundDeps {
  messages: MessageStore;
  events: CoreEvents;
  receipts: Receipts;
}

/**
 * Baileys' 'messages.upsert': stores and announces what people send us. 'notify' is live; 'append' is what came in
 * while we were offline: both are messages someone sent us.
 */
export function createInbound({ messages, events, receipts }: InboundDeps): (list: WAMessage[]) => void {
  return (list) => {
    for (const msg of list) {
      // Our own sends are stored from sendMessage's return; their echo may still carry a merged receipt.
      if (msg.key.fromMe) {
        if (msg.key.id) receipts.apply(msg.key.id, statusFromBaileys(msg.status));
        continue;
      }
      const stored = toInboundMessage(msg, Math.floor(Date.now() / 1000));
      if (stored && messages.insert(stored)) events.emit('message.received', stored);
    }
  };
}
