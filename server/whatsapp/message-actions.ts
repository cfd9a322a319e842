import { ApiError } from '../api-error.ts';
import type { Clock } from '../clock.ts';
import type { LidMappings } from '../store/lid-mappings.ts';
import type { MessageStore } from '../store/messages.ts';
import { EDIT_WINDOW_MS, MINUTE_MS } from '../contract/lifetimes.ts';
import type { MessageContent, MessageTarget } from '../contract/message-content.ts';
import type { StoredMessage } from '../contract/messages.ts';

export interface MessageActions {
  /** A reaction (any emoji; "" takes ours away) to a message of this chat, either side's. */
  reaction(chatJid: string, messageId: string, emoji: string): MessageContent;
  /** An edit of our own text, within WhatsApp's window. */
  edit(chatJid: string, messageId: string, text: string): MessageContent;
  /** A delete for everyone of our own message. */
  remove(chatJid: string, messageId: string): MessageContent;
}

/** Kinds that are about another message: they cannot be reacted to, edited or deleted themselves. */
const ACTIONS = new Set<StoredMessage['kind']>(['reaction', 'edit', 'delete']);

/**
 * What a reaction, an edit or a delete is about, checked as WhatsApp's phones check it before they send one: the
 * message is this chat's, an edit or a delete is of our own message, an edit is of a text within 15 minutes.
 */
export function createMessageActions(deps: {
  messages: Pick<MessageStore, 'get'>;
  lids: Pick<LidMappings, 'aliasesOf'>;
  clock: Clock;
}): MessageActions {
  function target(chatJid: string, messageId: string): StoredMessage {
    const message = deps.messages.get(messageId);
    if (!message || !deps.lids.aliasesOf(chatJid).includes(message.chat_jid) || ACTIONS.has(message.kind))
      throw new ApiError(404, 'Message not found in this chat');
    if (message.deleted_at != null) throw new ApiError(409, 'The message was deleted for everyone');
    return message;
  }

  const keyOf = (m: StoredMessage): MessageTarget => ({
    message_id: m.message_id,
    from_me: m.direction === 'outbound',
    participant: m.direction === 'inbound' && m.chat_jid.endsWith('@g.us') ? m.sender : null,
  });

  function ours(m: StoredMessage, what: string): void {
    if (m.direction !== 'outbound') throw new ApiError(403, `Only your own messages can be ${what}`);
    if (m.status === 'failed') throw new ApiError(409, `The message never reached WhatsApp: it cannot be ${what}`);
  }

  return {
    reaction(chatJid, messageId, emoji) {
      return { kind: 'reaction', target: keyOf(target(chatJid, messageId)), emoji };
    },
    edit(chatJid, messageId, text) {
      const m = target(chatJid, messageId);
      ours(m, 'edited');
      if (m.kind !== 'text') throw new ApiError(409, 'Only text messages can be edited');
      const ageMs = deps.clock.now() - m.timestamp * 1000;
      if (ageMs > EDIT_WINDOW_MS)
        throw new ApiError(
          409,
          `WhatsApp allows edits for ${EDIT_WINDOW_MS / MINUTE_MS} minutes after sending; this message was sent ` +
            `${Math.floor(ageMs / MINUTE_MS)} minutes ago`,
        );
      return { kind: 'edit', target: keyOf(m), text };
    },
    remove(chatJid, messageId) {
      const m = target(chatJid, messageId);
      ours(m, 'deleted for everyone');
      return { kind: 'delete', target: keyOf(m) };
    },
  };
}
