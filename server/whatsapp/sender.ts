import { randomBytes } from 'node:crypto';
import type { Pacer } from './pacing.ts';
import type { Clock } from '../clock.ts';
import type { OutboxConfig } from '../config.ts';
import type { CoreEvents } from '../events.ts';
import type { Logger } from '../logger.ts';
import type { MessageStore } from '../store/messages.ts';
import { acceptedJob, type NewJob, type OutboxStore } from '../store/outbox.ts';
import type { OutboxEntry } from '../contract/outbox.ts';
import { ApiError } from '../api-error.ts';
import type { LidMappings } from '../store/lid-mappings.ts';
import type { ContactDirectory } from './contact-directory.ts';
import type { GroupDirectory } from './group-directory.ts';
import type { GroupDetail } from '../contract/groups.ts';
import type { OutboxWorker } from './outbox-worker.ts';
import { resolveRecipient } from './recipient.ts';
import type { Recipient, Session } from './session.ts';
import type { AcceptedResult, MessageStatusChange, SendResult, StoredMessage } from '../contract/messages.ts';
import type { SessionState } from '../contract/session.ts';
import type { MessageContent } from '../contract/message-content.ts';

export interface SendRequest {
  chatJid: string;
  /** What to send, of any kind. */
  content: MessageContent;
  /**
   * Called with the message's id once every check has passed, just before it is accepted: a media file is made
   * durable under that id here, so the outbox never holds a message whose file is not kept.
   */
  beforeAccept?: (messageId: string) => void;
  replyToMessageId?: string;
  typingSimulation: boolean;
  presenceSimulation: boolean;
  /** Group chats only: the people the message @-mentions, as JIDs. */
  mentions?: string[];
  /** Answer as soon as the message is in the outbox instead of waiting for WhatsApp's server. */
  async: boolean;
  /** Unix seconds: leave no earlier than this; null, as soon as possible. */
  sendAt: number | null;
}

export type SendOutcome = { kind: 'sent'; result: SendResult } | { kind: 'accepted'; result: AcceptedResult };

export interface Sender {
  send(r: SendRequest): Promise<SendOutcome>;
  /** `DELETE /messages/{id}`: a queued or scheduled message that has not left. */
  cancel(id: string): MessageStatusChange[];
  /** `POST /outbox/{id}/retry`: a failed message goes back in line with the same id. */
  retry(id: string): MessageStatusChange;
  /** `DELETE /outbox/{id}`: forgets a failed message, or cancels one that has not left. */
  drop(id: string): void;
  outbox(): OutboxEntry[];
  /**
   * The core is stopping: every synchronous send still waiting is answered 202 pending now, since its message stays
   * in the outbox and leaves at the next start (a 503 would say nothing will be sent); a send not yet in the outbox
   * is refused with a 503 from here on.
   */
  stop(): void;
}

export interface SenderDeps {
  session: Pick<Session, 'snapshot' | 'newMessageId'>;
  directory: Pick<ContactDirectory, 'lookup'>;
  groups: Pick<GroupDirectory, 'get'>;
  lids: Pick<LidMappings, 'aliasesOf'>;
  messages: Pick<MessageStore, 'get'>;
  outbox: OutboxStore;
  worker: Pick<OutboxWorker, 'enqueue' | 'takeAtOnce' | 'giveBack'>;
  events: CoreEvents;
  config: Pick<OutboxConfig, 'sync_wait_ms'>;
  clock: Clock;
  logger: Logger;
  /** How long pacing held a message back (the outbox worker waits for it). */
  pacer: Pick<Pacer, 'waitedFor'>;
}

/** Session states from which a linked session comes back by itself: a send made now waits for it. */
const LINKED_STATES = new Set<SessionState>(['connected', 'connecting', 'reconnecting', 'starting']);
const NOT_CONNECTED = () => new ApiError(503, 'WhatsApp is not connected');

/** A poll's secret, that its voters encrypt their votes with (Baileys' size). */
const POLL_SECRET_BYTES = 32;

/** What a failed message answers to the request that was waiting for it: nothing was or will be sent. */
function failureAnswer(reason: string | undefined): ApiError {
  if (reason === 'not_on_whatsapp') return new ApiError(404, 'Number is not on WhatsApp');
  if (reason === 'cancelled') return new ApiError(409, 'The message was cancelled before it left');
  if (reason === 'logged_out') return NOT_CONNECTED();
  const code = reason?.startsWith('server_rejected:') ? reason.slice('server_rejected:'.length) : null;
  if (code) return new ApiError(500, `WhatsApp refused the message (error ${code})`);
  return new ApiError(500, 'Failed to send message');
}

/**
 * Accepts sends: checks what can be known now, writes the message to the outbox (from then on it is never lost) and,
 * for a synchronous send, waits until WhatsApp's server acks it, within a bounded time.
 */
export function createSender(deps: SenderDeps): Sender {
  const { session, directory, groups, lids, messages, outbox, worker, events, clock } = deps;
  const nowSeconds = () => Math.floor(clock.now() / 1000);
  /** The synchronous sends waiting for their outcome: each ends its wait as unconfirmed. */
  const waiting = new Set<() => void>();
  /**
   * Each waiting send's status listener, by message id: one listener on the bus for all of them, so a status change
   * costs the same however many synchronous sends wait (a listener each made every change visit all of them).
   */
  const outcomes = new Map<string, (c: MessageStatusChange) => void>();
  events.on('message.status', (c) => outcomes.get(c.message_id)?.(c));
  let stopped = false;
  const emit = (changes: (MessageStatusChange | null)[]) => {
    for (const change of changes) if (change) events.emit('message.status', change);
  };

  /** The message replied to must be one this chat has (under either of a person's addresses). */
  function replyTarget(r: SendRequest): StoredMessage | null {
    if (!r.replyToMessageId) return null;
    const quoted = messages.get(r.replyToMessageId);
    if (!quoted || !lids.aliasesOf(r.chatJid).includes(quoted.chat_jid))
      throw new ApiError(404, 'Message to reply to was not found');
    return quoted;
  }

  /** A group the phone is in (404 "Group not found" otherwise), asked now when connected; null without a connection. */
  async function groupNow(chatJid: string): Promise<GroupDetail | null> {
    if (!chatJid.endsWith('@g.us') || session.snapshot().state !== 'connected') return null;
    try {
      return await groups.get(chatJid);
    } catch (error) {
      if (error instanceof ApiError && error.code === 503) return null;
      throw error;
    }
  }

  /** A mention names a member as the group addresses them (their LID in a LID group), so their phone shows it. */
  function mentionsIn(group: GroupDetail | null, mentions: string[]): string[] {
    return mentions.map(
      (jid) => group?.participants.find((p) => p.jid === jid || p.phone_jid === jid || p.lid === jid)?.jid ?? jid,
    );
  }

  /** Asked now when connected (a 404 at once); without a connection the outbox asks before it sends. */
  async function recipientNow(chatJid: string): Promise<Recipient | null> {
    if (session.snapshot().state !== 'connected') return null;
    let to: Recipient | null;
    try {
      to = await resolveRecipient(directory, chatJid);
    } catch (error) {
      if (error instanceof ApiError && error.code === 503) return null;
      throw error;
    }
    if (!to)
      throw new ApiError(404, chatJid.endsWith('@lid') ? 'LID is not known to WhatsApp' : 'Number is not on WhatsApp');
    return to;
  }

  /** The outcome of message `id`: sent, failed, or still unconfirmed when the wait ends. */
  function outcomeOf(id: string): { result: Promise<SendOutcome>; cancel: () => void } {
    let stop = () => undefined as void;
    const result = new Promise<SendOutcome>((resolve, reject) => {
      const onStatus = (c: MessageStatusChange) => {
        if (c.status === 'sent') {
          stop();
          const paced = deps.pacer.waitedFor(id);
          const result = { message_id: id, status: 'sent' as const, timestamp: c.at };
          resolve({ kind: 'sent', result: paced > 0 ? { ...result, paced_ms: paced } : result });
        } else if (c.status === 'failed') {
          stop();
          reject(failureAnswer(c.reason));
        }
      };
      const unconfirmed = () => {
        stop();
        resolve({ kind: 'accepted', result: { message_id: id, status: 'pending', send_at: null } });
      };
      const cancelTimer = clock.after(deps.config.sync_wait_ms, unconfirmed);
      stop = () => {
        cancelTimer();
        waiting.delete(unconfirmed);
        outcomes.delete(id);
      };
      waiting.add(unconfirmed);
      outcomes.set(id, onStatus);
    });
    return { result, cancel: () => stop() };
  }

  async function send(r: SendRequest): Promise<SendOutcome> {
    const state = session.snapshot().state;
    const messageId = LINKED_STATES.has(state) ? await session.newMessageId() : null;
    if (!messageId) throw NOT_CONNECTED();
    const quoted = replyTarget(r);
    const group = await groupNow(r.chatJid);
    const to = await recipientNow(r.chatJid);
    const now = nowSeconds();
    const sendAt = r.sendAt !== null && r.sendAt > now ? r.sendAt : null;
    r.beforeAccept?.(messageId);
    const message: StoredMessage = {
      message_id: messageId,
      chat_jid: to?.chat_jid ?? r.chatJid,
      chat_lid: to?.chat_lid ?? null,
      direction: 'outbound',
      sender: session.snapshot().account?.jid ?? '',
      // The text column says what a text or an edit says: their content's `text`, spread below.
      text: null,
      quoted_message_id: quoted?.message_id ?? null,
      timestamp: now,
      status: 'queued',
      ...r.content,
    };
    if (stopped) throw new ApiError(503, 'WaGate is stopping: nothing was sent. Try again once it is back');
    const waitForIt = !r.async && sendAt === null;
    const outcome = waitForIt ? outcomeOf(messageId) : null;
    const job = {
      chat_jid: message.chat_jid,
      typing_simulation: r.typingSimulation,
      presence_simulation: r.presenceSimulation,
    };
    // Taken at once: its acceptance's commit also takes its first step, the attempt or `sending` (an answer 202 says
    // `queued`, so only a send that waits for its outcome).
    const taken = waitForIt ? worker.takeAtOnce({ ...job, message_id: messageId }) : null;
    const newJob: NewJob = {
      ...job,
      message,
      secret: r.content.kind === 'poll' ? randomBytes(POLL_SECRET_BYTES) : null,
      mentions: mentionsIn(group, r.mentions ?? []),
      send_at: sendAt,
      first_step: taken ?? undefined,
    };
    let accepted: MessageStatusChange[];
    try {
      // Every answer about it waits until this commit is on disk (server/http/middleware/durable-answers.ts).
      accepted = outbox.add(newJob);
    } catch (error) {
      outcome?.cancel();
      if (taken) worker.giveBack(messageId);
      throw error;
    }
    emit(accepted);
    worker.enqueue({
      message_id: messageId,
      chat_jid: message.chat_jid,
      send_at: sendAt,
      created_at: message.timestamp,
      presence_simulation: r.presenceSimulation,
      taken: taken ? { step: taken, job: acceptedJob(newJob) } : undefined,
    });
    if (outcome) return outcome.result;
    return { kind: 'accepted', result: { message_id: messageId, status: 'queued', send_at: sendAt } };
  }

  return {
    send,
    cancel(id) {
      const result = outbox.cancel(id, nowSeconds());
      if (result.kind === 'not_found') throw new ApiError(404, 'Message not found');
      if (result.kind !== 'cancelled')
        throw new ApiError(409, 'The message has already left (or is not in the outbox): it cannot be cancelled');
      emit(result.changes);
      return result.changes;
    },
    retry(id) {
      const change = outbox.retry(id, nowSeconds());
      if (!change) throw new ApiError(404, 'No failed message with this id in the outbox');
      emit([change]);
      worker.enqueue(id);
      return change;
    },
    drop(id) {
      if (outbox.drop(id)) return void events.emit('outbox.changed');
      if (!outbox.get(id)) throw new ApiError(404, 'No message with this id in the outbox');
      const result = outbox.cancel(id, nowSeconds());
      if (result.kind === 'cancelled') return emit(result.changes);
      if (result.kind === 'left') throw new ApiError(409, 'The message has already left: it cannot be dropped');
      throw new ApiError(404, 'No message with this id in the outbox');
    },
    outbox: () => outbox.list(),
    stop() {
      stopped = true;
      for (const unconfirmed of [...waiting]) unconfirmed();
    },
  };
}
