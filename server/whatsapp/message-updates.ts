import { createHash } from 'node:crypto';
import { decryptPollVote, jidNormalizedUser, normalizeMessageContent, proto, toNumber } from '@whiskeysockets/baileys';
import type { WAMessage } from '@whiskeysockets/baileys';
import type { CoreEvents } from '../events.ts';
import type { Logger } from '../logger.ts';
import type { MessageStore } from '../store/messages.ts';
import type { StoredMessage } from '../contract/messages.ts';

const { Type } = proto.Message.ProtocolMessage;

export interface MessageUpdatesDeps {
  messages: Pick<MessageStore, 'get' | 'secretOf' | 'edit' | 'markDeleted'>;
  events: CoreEvents;
  logger: Logger;
  /** This account's JIDs (phone number and LID), once linked. */
  me(): { pn: string | null; lid: string | null };
}

/** Where a received message came from, as the inbound path resolved it. */
export interface Origin {
  chat_jid: string;
  /** Its chat aliases: the person's phone-number JID and LID. */
  aliases: readonly string[];
  sender: string;
  timestamp: number;
}

/**
 * What people do to messages, read from what they send: a reaction, an edit or a delete for everyone of their own
 * message, a poll vote (decrypted with the secret stored with the poll). Each is its own event; edits and deletes
 * change the stored message. Returns false for a message that is none of these.
 */
export function createMessageUpdates({ messages, events, logger, me }: MessageUpdatesDeps) {
  /** A message of this chat, or null (a reaction to a message WaGate never saw is still told). */
  const ofChat = (id: string | null | undefined, origin: Origin): StoredMessage | null => {
    const stored = id ? messages.get(id) : null;
    return stored && origin.aliases.includes(stored.chat_jid) ? stored : null;
  };

  function edited(msg: WAMessage, p: proto.Message.IProtocolMessage, origin: Origin): void {
    const target = ofChat(p.key?.id, origin);
    const text = p.editedMessage?.conversation ?? p.editedMessage?.extendedTextMessage?.text;
    // Only its sender can edit a message: an edit of ours, or of someone else's, from this person is ignored.
    if (!target || target.direction !== 'inbound' || target.sender !== origin.sender || typeof text !== 'string') {
      logger.info({ id: msg.key.id, target: p.key?.id }, 'an edit of a message this sender did not send: ignored');
      return;
    }
    const at = p.timestampMs ? Math.floor(toNumber(p.timestampMs) / 1000) : origin.timestamp;
    messages.edit(target.message_id, text, at);
    events.emit('message.edited', { ...about(origin, target.message_id), timestamp: at, text });
  }

  function deleted(p: proto.Message.IProtocolMessage, origin: Origin): void {
    const target = ofChat(p.key?.id, origin);
    if (!target || target.direction !== 'inbound' || target.sender !== origin.sender) return;
    if (messages.markDeleted(target.message_id, origin.timestamp))
      events.emit('message.deleted', about(origin, target.message_id));
  }

  function voted(update: proto.Message.IPollUpdateMessage, origin: Origin, voterJid: string): void {
    const pollId = update.pollCreationMessageKey?.id;
    const poll = ofChat(pollId, origin);
    const secret = poll ? messages.secretOf(poll.message_id) : null;
    if (!poll || poll.kind !== 'poll' || !secret || !update.vote) {
      logger.info({ poll: pollId }, 'a vote on a poll WaGate does not have: ignored');
      return;
    }
    const account = me();
    const creator =
      poll.direction === 'outbound' ? (voterJid.endsWith('@lid') ? account.lid : account.pn) : poll.sender;
    try {
      const vote = decryptPollVote(update.vote, {
        pollCreatorJid: creator ?? '',
        pollMsgId: poll.message_id,
        pollEncKey: secret,
        voterJid,
      });
      const chosen = new Set((vote.selectedOptions ?? []).map((hash) => Buffer.from(hash).toString('hex')));
      const sha = (option: string) => createHash('sha256').update(option).digest('hex');
      const options = poll.poll.options.filter((option) => chosen.has(sha(option)));
      events.emit('poll.vote', { ...about(origin, poll.message_id), options });
    } catch (err) {
      logger.warn({ err, poll: poll.message_id }, 'could not decrypt a poll vote');
    }
  }

  return (msg: WAMessage, origin: Origin): boolean => {
    const content = normalizeMessageContent(msg.message);
    if (content?.reactionMessage) {
      const target = content.reactionMessage.key?.id ?? '';
      events.emit('message.reaction', {
        ...about(origin, ofChat(target, origin)?.message_id ?? target),
        emoji: content.reactionMessage.text ?? '',
      });
      return true;
    }
    const p = content?.protocolMessage;
    if (p?.type === Type.MESSAGE_EDIT) return (edited(msg, p, origin), true);
    if (p?.type === Type.REVOKE) return (deleted(p, origin), true);
    if (content?.pollUpdateMessage) {
      voted(content.pollUpdateMessage, origin, jidNormalizedUser(msg.key.participant || msg.key.remoteJid || ''));
      return true;
    }
    return false;
  };
}

const about = (origin: Origin, messageId: string) => ({
  chat_jid: origin.chat_jid,
  message_id: messageId,
  sender: origin.sender,
  timestamp: origin.timestamp,
});
