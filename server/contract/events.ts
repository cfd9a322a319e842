import type { SessionSnapshot } from './session.ts';
import type { MessageProgress, MessageStatusChange, StoredMessage } from './messages.ts';
import type { PacingState } from './pacing.ts';
import type { MessageDeleted, MessageEdited, MessageReaction, PollVote } from './message-events.ts';

/** Every state change in the core is one of these events; the API, the dashboard and the tray read them. */
export interface CoreEventMap {
  'session.state': [SessionSnapshot];
  'message.received': [StoredMessage];
  'message.status': [MessageStatusChange];
  /** Someone reacted to a message of a chat ("" takes a reaction away). */
  'message.reaction': [MessageReaction];
  /** Its sender edited a message. */
  'message.edited': [MessageEdited];
  /** Its sender deleted a message for everyone. */
  'message.deleted': [MessageDeleted];
  /** Someone voted on a poll (decrypted with the poll's secret). */
  'poll.vote': [PollVote];
  /** A message leaving the outbox is typing or waiting for the server's ack (the dashboard's progress words). */
  'message.progress': [MessageProgress];
  'keys.changed': [];
  /** A webhook was added, removed, resumed or paused, or a delivery was queued or tried. */
  'webhooks.changed': [];
  /** The pacing policy changed, a message was held back or let go, or a send was counted. */
  'pacing.changed': [PacingState];
  /**
   * The outbox changed with no status to say so: a failed message was dropped, one already `sending` was handed to
   * WhatsApp again (its count of tries), or one already `failed` (Baileys reported the refusal first) left the queue
   * for the failed; every other change of the outbox is a 'message.status'.
   */
  'outbox.changed': [];
}
export type CoreEventName = keyof CoreEventMap;

/** A Record, so that an event added to the map and not here fails the type-check. */
const EVERY_EVENT: Record<CoreEventName, true> = {
  'session.state': true,
  'message.status': true,
  'message.received': true,
  'message.reaction': true,
  'message.edited': true,
  'message.deleted': true,
  'poll.vote': true,
  'message.progress': true,
  'keys.changed': true,
  'webhooks.changed': true,
  'pacing.changed': true,
  'outbox.changed': true,
};

/** Every event's name: the dashboard's live stream (`GET /admin/events`) forwards all of them. */
export const CORE_EVENT_NAMES = Object.keys(EVERY_EVENT) as CoreEventName[];

/** The events kept in the event log: `GET /events` streams them and webhooks receive them. */
export const LOGGED_EVENT_TYPES = [
  'message.received',
  'message.status',
  'message.reaction',
  'message.edited',
  'message.deleted',
  'poll.vote',
  'session.state',
] as const satisfies readonly CoreEventName[];
export type LoggedEventType = (typeof LOGGED_EVENT_TYPES)[number];
