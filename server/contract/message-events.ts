import { z } from 'zod';

/**
 * What people do to messages, each its own event (in the event log, `GET /events` and webhooks): a reaction, an
 * edit, a delete for everyone, a poll vote. The message they are about keeps its id; the stored message reflects
 * edits and deletes.
 */

const about = {
  /** The chat, as `GET /chats/{chat_jid}/messages` names it. */
  chat_jid: z.string(),
  /** The message it is about. */
  message_id: z.string(),
  /** Who did it: a person's JID, or this account's for what WaGate itself did. */
  sender: z.string(),
  /** Unix seconds. */
  timestamp: z.number().int(),
};

export const MessageReactionSchema = z.object({
  ...about,
  /** The emoji; "" when the sender took their reaction away. */
  emoji: z.string(),
});
export type MessageReaction = z.infer<typeof MessageReactionSchema>;

export const MessageEditedSchema = z.object({ ...about, text: z.string() });
export type MessageEdited = z.infer<typeof MessageEditedSchema>;

export const MessageDeletedSchema = z.object(about);
export type MessageDeleted = z.infer<typeof MessageDeletedSchema>;

export const PollVoteSchema = z.object({
  ...about,
  /** The options the voter now chooses (their earlier vote is replaced); [] when they took their vote back. */
  options: z.array(z.string()),
});
export type PollVote = z.infer<typeof PollVoteSchema>;
