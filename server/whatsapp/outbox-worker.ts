import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../clock.ts';
import type { Pacer } from './pacing.ts';
import type { OutboxConfig, TypingConfig } from '../config.ts';
import type { CoreEvents } from '../events.ts';
import type { Logger } from '../logger.ts';
import type { MessageStore } from '../store/messages.ts';
import type { FirstStep, OutboxJob, OutboxStore } from '../store/outbox.ts';
import { createOutboxQueue, type QueuedJob } from './outbox-queue.ts';
import { ApiError } from '../api-error.ts';
import { AckTimeoutError, ServerRejectedError } from './server-acks.ts';
import type { ContactDirectory } from './contact-directory.ts';
import { resolveRecipient } from './recipient.ts';
import type { PresenceKind, Session } from './session.ts';
import { typingDurationMs } from './typing.ts';
import { typedWordsOf } from './message-content.ts';
import type { MessageStatusChange } from '../contract/messages.ts';
import type { SessionSnapshot } from '../contract/session.ts';

export interface OutboxWorkerDeps {
  session: Pick<Session, 'snapshot' | 'send' | 'sendPresence'>;
  directory: Pick<ContactDirectory, 'lookup'>;
  outbox: OutboxStore;
  messages: Pick<MessageStore, 'get' | 'setStatus' | 'edit' | 'markDeleted'>;
  events: CoreEvents;
  typing: TypingConfig;
  config: Pick<OutboxConfig, 'expire_after_s'>;
  clock: Clock;
  logger: Logger;
  pacer: Pick<Pacer, 'hold' | 'takeNow' | 'giveBack'>;
  /** Whether a chat has never written to us: pacing limits those (WhatsApp's reach-out limit). */
  isNewChat(chatJid: string): boolean;
}

export interface OutboxWorker {
  /** Sends what the outbox holds (after a restart: what the last process left), and each new job as it comes. */
  start(): void;
  /**
   * Takes a job about to be accepted if nothing can come before its first step: connected, no earlier job of its
   * chat, and pacing lets it go now (its place is counted now). The step, for its acceptance to commit with it (one
   * commit fewer per send) and for the job to be queued with: its first attempt when it has neither typing nor
   * presence to show (nothing waits before its frame), `sending` when it is typed (typing starts at once). Null: it
   * waits for its turn, nothing taken. An acceptance that then fails gives it back (`giveBack`).
   */
  takeAtOnce(
    job: Pick<OutboxJob, 'message_id' | 'chat_jid' | 'typing_simulation' | 'presence_simulation'>,
  ): FirstStep | null;
  /** A job taken at once was not accepted after all: its place in pacing is given back. */
  giveBack(messageId: string): void;
  /**
   * A job was added (or retried) to the outbox: it joins the worker's queue, which the table is read into only at
   * start. Given its id alone (a retry), the job is read to queue it.
   */
  enqueue(job: QueuedJob | string): void;
  stop(): Promise<void>;
}

/** A failure that sending again cannot mend: the job fails with this reason. */
class Final extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

/**
 * Errors of WhatsApp itself on an open connection (an encryption that fails, say): the frame never left, so trying
 * again is safe; after this many in a row the message fails as `send_error`.
 */
const MAX_SEND_ERRORS = 5;
const SEND_ERROR_BACKOFF_MS = 250;
/** A breath before a resend, so a connection that flaps cannot spin the loop. */
const RESEND_PAUSE_MS = 50;

/** A dropped connection (503) or an ack that did not come: the message goes again, with the same id. */
const isTransient = (error: unknown) =>
  error instanceof AckTimeoutError || (error instanceof ApiError && error.code === 503);

/**
 * Delivers the outbox: one chat's messages leave one at a time, in order, each waiting for the server's ack before
 * the next; chats go in parallel. A message whose connection drops before the ack is sent again with the same id
 * once the session is back (the recipient keeps one message per id), typed and announced only the first time.
 */
export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const { session, directory, outbox, messages, events, typing, clock, logger } = deps;
  const stopping = new AbortController();
  const running = new Map<string, Promise<void>>();
  /** The jobs still to take: the table is read only at start. */
  const queue = createOutboxQueue(clock);
  /** Chats kicked while their drain was running: it looks again before it ends. */
  const again = new Set<string>();
  let online = false;
  let presenceJobs = 0;
  let cancelWake: (() => void) | null = null;
  let started = false;
  /** Messages pacing has let go and WhatsApp has not acked yet (one per id). */
  const paced = new Set<string>();
  /** Messages pacing holds now, each with what ends its hold early: it failed (a cancel) meanwhile. */
  const holds = new Map<string, AbortController>();
  /** The message whose ack is being committed now: its own `sent` needs no settling (its job is already gone). */
  let completing: string | null = null;

  const nowSeconds = () => Math.floor(clock.now() / 1000);
  const emit = (changes: MessageStatusChange[]) => {
    for (const change of changes) events.emit('message.status', change);
  };
  const stepOf = (job: OutboxJob) => ({ message_id: job.message_id, chat_jid: job.chat_jid });
  /** Real time (typing, backoff), cut short when the worker stops; the clock is for what is scheduled. */
  const pause = (ms: number) => sleep(ms, undefined, { signal: stopping.signal }).catch(() => undefined);
  /** Never left and too late to arrive as meant: its lifetime counts from when it was to leave (a scheduled one's send_at). */
  const expired = (job: OutboxJob) =>
    job.attempts === 0 && (job.send_at ?? job.created_at) + deps.config.expire_after_s < nowSeconds();

  /** Presence and chatstates are cosmetic: losing one must not lose the message. */
  async function presence(kind: PresenceKind, jid?: string): Promise<void> {
    try {
      await session.sendPresence(kind, jid);
    } catch (error) {
      logger.warn({ err: error, kind }, 'could not send presence');
    }
  }

  async function typeFor(job: OutboxJob, chatJid: string): Promise<void> {
    // A voice note shows "recording…" for as long as it lasts (within typing's bounds), as a person recording it.
    const voice = job.content.kind === 'voice' ? job.content.media.seconds : null;
    const indicator = voice === null ? 'composing' : 'recording';
    let remaining =
      voice === null
        ? typingDurationMs(typedWordsOf(job.content), typing)
        : Math.min(Math.max(voice * 1000, typing.min_ms), typing.max_ms);
    events.emit('message.progress', { ...stepOf(job), step: 'typing', duration_ms: remaining });
    await presence(indicator, chatJid);
    while (remaining > 0 && !stopping.signal.aborted) {
      const wait = Math.min(remaining, typing.refresh_ms);
      await pause(wait);
      remaining -= wait;
      // WhatsApp drops the indicator after about ten seconds unless it is said again.
      if (remaining > 0) await presence(indicator, chatJid);
    }
    await presence('paused', chatJid);
  }

  /** Our edit or delete reached WhatsApp: the stored message it is about now says so. */
  function applyToTarget(content: OutboxJob['content'], at: number): void {
    if (content.kind === 'edit') messages.edit(content.target.message_id, content.text, at);
    if (content.kind === 'delete') messages.markDeleted(content.target.message_id, at);
  }

  /** Resolves once the session is connected; false when the worker stops first. */
  function connected(): Promise<boolean> {
    // Already stopping: its abort event has fired and will not fire again.
    if (stopping.signal.aborted) return Promise.resolve(false);
    if (session.snapshot().state === 'connected') return Promise.resolve(true);
    return new Promise((resolve) => {
      const onState = (s: SessionSnapshot) => {
        if (s.state !== 'connected') return;
        done(true);
      };
      const onStop = () => done(false);
      const done = (value: boolean) => {
        events.off('session.state', onState);
        stopping.signal.removeEventListener('abort', onStop);
        resolve(value);
      };
      events.on('session.state', onState);
      stopping.signal.addEventListener('abort', onStop, { once: true });
    });
  }

  function fail(job: OutboxJob, reason: string): void {
    logger.warn({ message_id: job.message_id, reason }, 'message failed');
    const changes = outbox.fail(job.message_id, reason, nowSeconds());
    if (changes.length > 0) return emit(changes);
    // Baileys' report of the error ack (the receipts) marked it failed first: only the outbox changes now.
    events.emit('outbox.changed');
  }

  /**
   * Waits until pacing lets the message leave; counted once, a resend after a drop is not held again. False when the
   * message failed (was cancelled) while held: it stops waiting at once.
   */
  async function pace(job: OutboxJob, first: boolean): Promise<boolean> {
    if (!first || paced.has(job.message_id)) return true;
    const newChat = deps.isNewChat(job.chat_jid);
    // Nothing holds it now (pacing off, or no limit reached): counted as a hold that ends at once, without its signals.
    if (deps.pacer.takeNow(job.chat_jid, newChat, job.message_id)) {
      paced.add(job.message_id);
      return true;
    }
    const failed = new AbortController();
    // One signal for both ends of a hold. Not AbortSignal.any: each call left a dependant on the worker's signal for
    // the garbage collector to clear, and grew slower with every send until it did.
    const held = new AbortController();
    const release = () => held.abort();
    failed.signal.addEventListener('abort', release, { once: true });
    stopping.signal.addEventListener('abort', release, { once: true });
    holds.set(job.message_id, failed);
    try {
      await deps.pacer.hold(job.chat_jid, newChat, Infinity, job.message_id, held.signal);
    } catch (error) {
      if (failed.signal.aborted) return false;
      throw error;
    } finally {
      holds.delete(job.message_id);
      stopping.signal.removeEventListener('abort', release);
    }
    paced.add(job.message_id);
    return true;
  }

  /** It did not leave after all: it takes no place in pacing, and is held again if it is retried. */
  function unpace(job: OutboxJob): void {
    if (paced.delete(job.message_id)) deps.pacer.giveBack(job.message_id);
  }

  /**
   * One try: typed and announced if nothing has left yet, then the frame, then the server's ack. `taken`: the
   * acceptance took this try's first step (and it is still the first).
   */
  async function attempt(job: OutboxJob, taken: FirstStep | null): Promise<void> {
    const begun = taken === 'attempt';
    const first = job.attempts === (begun ? 1 : 0);
    if (!(await pace(job, first))) return;
    const typed = first && job.typing_simulation;
    // Typing is part of sending as the user sees it; without it, `sending` waits for the attempt's commit.
    if (typed && taken !== 'sending') emit(outbox.markSending(job.message_id, nowSeconds()));
    const to = await resolveRecipient(directory, job.chat_jid);
    if (!to) {
      unpace(job);
      throw new Final('not_on_whatsapp');
    }
    if (first && job.presence_simulation && !online) {
      online = true;
      await presence('available');
    }
    if (typed) await typeFor(job, to.address);
    if (stopping.signal.aborted) return;
    if (!begun) {
      const began = outbox.beginAttempt(job.message_id, nowSeconds());
      if (!began) return unpace(job); // cancelled while pacing held it or while typing
      emit(began);
      // Already `sending` (a resend, or typing said so): only the count of tries changed, which the outbox shows.
      if (began.length === 0) events.emit('outbox.changed');
    }
    events.emit('message.progress', { ...stepOf(job), step: 'awaiting_ack' });
    const quoted = job.quoted_message_id ? messages.get(job.quoted_message_id) : null;
    try {
      const options = { messageId: job.message_id, secret: job.secret, quoted, mentions: job.mentions };
      const at = await session.send(to, job.content, options);
      completing = job.message_id;
      try {
        emit(outbox.complete(job.message_id, at));
      } finally {
        completing = null;
      }
      // It is gone from the outbox: never sent or held again, so nothing per message stays behind.
      paced.delete(job.message_id);
      applyToTarget(job.content, at);
    } catch (error) {
      if (error instanceof ServerRejectedError) throw new Final(`server_rejected:${error.code}`);
      throw error;
    }
  }

  /** Tries until the job is acked, fails for good, is cancelled or the worker stops. */
  async function deliver(first: QueuedJob): Promise<void> {
    let errors = 0;
    let taken = first.taken ?? null;
    for (;;) {
      // Taken at once, its first try starts in the call that accepted it (enqueue, kick, drain: no await between),
      // so its row is still as accepted and is not read back, as long as the session is still connected. Any other
      // try reads it: a cancel or a failure may have come meanwhile.
      const asAccepted = taken && session.snapshot().state === 'connected' ? taken.job : null;
      if (!asAccepted && !(await connected())) return;
      const job = asAccepted ?? outbox.get(first.message_id);
      if (!job) return; // cancelled, failed (logged out) or already done
      if (expired(job)) return fail(job, 'expired');
      try {
        return await attempt(job, taken?.step ?? null);
      } catch (error) {
        taken = null;
        if (error instanceof Final) return fail(job, error.reason);
        if (isTransient(error)) {
          logger.info({ message_id: job.message_id, err: error }, 'message not acked: it goes again with the same id');
          await pause(RESEND_PAUSE_MS);
          continue;
        }
        if (++errors >= MAX_SEND_ERRORS) return fail(job, 'send_error');
        logger.warn({ message_id: job.message_id, err: error }, 'WhatsApp did not take the message; trying again');
        await pause(SEND_ERROR_BACKOFF_MS * 2 ** errors);
      }
    }
  }

  async function releasePresence(job: QueuedJob): Promise<void> {
    if (!job.presence_simulation) return;
    presenceJobs--;
    if (presenceJobs > 0 || queue.anyDueShowingPresence() || !online) return;
    online = false;
    await presence('unavailable');
  }

  async function drain(chatJid: string): Promise<void> {
    for (let job = queue.takeDue(chatJid); job && !stopping.signal.aborted; job = queue.takeDue(chatJid)) {
      if (job.presence_simulation) presenceJobs++;
      try {
        await deliver(job);
      } catch (error) {
        logger.error({ err: error, message_id: job.message_id }, 'outbox could not handle a message');
      } finally {
        await releasePresence(job);
      }
    }
  }

  function kick(chatJid: string): void {
    if (!started || stopping.signal.aborted) return;
    if (running.has(chatJid)) {
      again.add(chatJid);
      return;
    }
    const run = drain(chatJid).finally(() => {
      running.delete(chatJid);
      if (again.delete(chatJid)) kick(chatJid);
    });
    running.set(chatJid, run);
  }

  /** A timer for the next scheduled message, so it leaves on time (and after a restart, too). */
  function scheduleWake(): void {
    cancelWake?.();
    cancelWake = null;
    const next = queue.nextDueAt();
    if (next === null) return;
    cancelWake = clock.after(next * 1000 - clock.now(), () => {
      cancelWake = null;
      kickAll();
    });
  }

  function kickAll(): void {
    for (const chat of queue.chats()) kick(chat);
    scheduleWake();
  }

  /** A receipt for a message whose ack was lost (with a connection, or a process) proves the server has it. */
  function onStatus(c: MessageStatusChange): void {
    if (c.status === 'failed') holds.get(c.message_id)?.abort();
    if (c.status === 'sent' && c.message_id !== completing && outbox.settle(c.message_id))
      logger.info({ message_id: c.message_id }, 'a receipt showed WhatsApp has the message: no need to send it again');
  }

  /** Unlinked: nothing waiting may leave from whatever account is linked next. */
  function onSessionState(s: SessionSnapshot): void {
    if (s.state !== 'logged_out') return;
    queue.clear();
    for (const job of outbox.pending()) fail(job, 'logged_out');
  }

  return {
    start() {
      started = true;
      events.on('session.state', onSessionState);
      events.on('message.status', onStatus);
      for (const { message_id, chat_jid, send_at, created_at, presence_simulation } of outbox.pending())
        queue.add({ message_id, chat_jid, send_at, created_at, presence_simulation });
      kickAll();
    },
    takeAtOnce(job) {
      if (!started || stopping.signal.aborted || running.has(job.chat_jid) || queue.has(job.chat_jid)) return null;
      // Presence alone is said before the frame, on the network: the attempt waits for it, so nothing is taken.
      const step = job.typing_simulation ? 'sending' : job.presence_simulation ? null : 'attempt';
      if (!step || session.snapshot().state !== 'connected') return null;
      if (!deps.pacer.takeNow(job.chat_jid, deps.isNewChat(job.chat_jid), job.message_id)) return null;
      paced.add(job.message_id);
      return step;
    },
    giveBack(messageId) {
      if (paced.delete(messageId)) deps.pacer.giveBack(messageId);
    },
    enqueue(queued) {
      if (!started || stopping.signal.aborted) return;
      const job = typeof queued === 'string' ? outbox.get(queued) : queued;
      if (!job) return;
      queue.add(job);
      kick(job.chat_jid);
      if (job.send_at !== null) scheduleWake();
    },
    async stop() {
      stopping.abort();
      cancelWake?.();
      events.off('session.state', onSessionState);
      events.off('message.status', onStatus);
      await Promise.allSettled(running.values());
    },
  };
}
