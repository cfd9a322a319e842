import type { Clock } from '../clock.ts';
import type { PacedSend } from '../store/pacing-history.ts';
import { DAY, HOUR, MINUTE, RecentSends } from './recent-sends.ts';
import {
  DEFAULT_PACING,
  type PacedMessage,
  type PacingLimit,
  type PacingPolicy,
  type PacingState,
  type PacingUsage,
} from '../contract/pacing.ts';

export interface PacingSlot {
  /** Unix ms when the message may leave; `now` when nothing holds it back, Infinity when nothing ever will. */
  at: number;
  /** The limit that holds it back the longest; null when none does. */
  limit: PacingLimit | null;
}

/** When `cap` sends per `windowMs` allow one more: once the cap-th latest of `count` sends leaves the window. */
function capFree(count: number, nthLatest: (n: number) => number, cap: number, windowMs: number): number {
  if (cap === 0) return Infinity;
  if (count < cap) return -Infinity;
  return nthLatest(cap) + windowMs;
}

/**
 * When a message to `chat` may leave at the earliest, given what left before (oldest first). Pure: the same history,
 * policy and time give the same answer. A chat that has never written to us counts against the daily cap for as long
 * as anything sent to it is within the last 24 hours. Jitter is the caller's (it is random).
 */
export function earliestSlot(
  history: readonly PacedSend[],
  policy: PacingPolicy,
  chat: string,
  newChat: boolean,
  now: number,
): PacingSlot {
  return slotIn(new RecentSends(history), policy, chat, newChat, now);
}

function slotIn(recent: RecentSends, policy: PacingPolicy, chat: string, newChat: boolean, now: number): PacingSlot {
  if (!policy.enabled) return { at: now, limit: null };
  const nth = (n: number) => recent.nthLatest(n);
  const candidates: [PacingLimit, number][] = [
    ['per_minute', capFree(recent.count, nth, policy.per_minute, MINUTE)],
    ['per_hour', capFree(recent.count, nth, policy.per_hour, HOUR)],
  ];
  const lastToChat = recent.latestTo(chat);
  if (lastToChat) candidates.unshift(['chat_gap', lastToChat.at + policy.chat_gap_ms]);
  const lastByNewChat = recent.newChatsAfter(now - DAY);
  if (newChat && !lastByNewChat.has(chat)) {
    const opened = [...lastByNewChat.values()].sort((a, b) => a - b);
    candidates.push([
      'new_chats_per_day',
      capFree(opened.length, (n) => opened[opened.length - n]!, policy.new_chats_per_day, DAY),
    ]);
  }
  let slot: PacingSlot = { at: now, limit: null };
  for (const [limit, at] of candidates) if (at > slot.at) slot = { at, limit };
  return slot;
}

function usageIn(recent: RecentSends, now: number): PacingUsage {
  return {
    last_minute: recent.countAfter(now - MINUTE),
    last_hour: recent.countAfter(now - HOUR),
    new_chats_today: recent.newChatCountAfter(now - DAY),
  };
}

/** Keeps `value` under `messageId`, forgetting the oldest beyond the last 1000 messages. */
function remember<T>(map: Map<string, T>, messageId: string, value: T): void {
  map.set(messageId, value);
  if (map.size > 1000) map.delete(map.keys().next().value!);
}

/** A message pacing would hold longer than its sender can wait: nothing was sent. */
export class PacingHoldTooLong extends Error {
  readonly slot: PacingSlot;
  constructor(slot: PacingSlot) {
    super(`pacing holds the message until ${Number.isFinite(slot.at) ? new Date(slot.at).toISOString() : 'never'}`);
    this.slot = slot;
  }
}

export interface Pacer {
  state(): PacingState;
  /** False when pacing is off: no message is held (each is still counted). */
  enabled(): boolean;
  setPolicy(policy: PacingPolicy): void;
  /**
   * Waits until pacing lets a message to `chat` leave, counts it as sent, and answers how long it waited (0 when
   * nothing held it back). Throws PacingHoldTooLong, without waiting, if that would be longer than `maxWaitMs`.
   */
  hold(chat: string, newChat: boolean, maxWaitMs: number, messageId?: string, signal?: AbortSignal): Promise<number>;
  /**
   * Counts a message to `chat` as sent now if nothing holds it back (what a `hold` that ends at once does) and answers
   * true; false, counting nothing, if something would hold it.
   */
  takeNow(chat: string, newChat: boolean, messageId: string): boolean;
  /** How long the message with this id was held back (0 if it was not, or is unknown); read once its answer is due. */
  waitedFor(messageId: string): number;
  /**
   * The message held under this id did not leave after all (cancelled while held or typed, or not on WhatsApp): the
   * send its hold counted is taken back, so the chat's next message does not wait a gap after it.
   */
  giveBack(messageId: string): void;
}

export interface PacerDeps {
  policy: PacingPolicy;
  clock: Clock;
  /** Sends that left before this process started (from the message store), oldest first. */
  history?: PacedSend[];
  random?: () => number;
  /** Called whenever the state changes: a send counted, a message held or let go, a new policy. */
  onChange?: (state: PacingState) => void;
  /** Whether anyone follows the changes now; the state is worked out for `onChange` only then (every send changes it). */
  watched?: () => boolean;
}

/**
 * The pacing policy, the recent sends it is measured against (the last hour's, and the day's new chats), and the
 * messages it holds back.
 */
export function createPacer(deps: PacerDeps): Pacer {
  const { clock } = deps;
  const random = deps.random ?? Math.random;
  let policy = deps.policy;
  const history = new RecentSends(deps.history ?? []);
  history.forgetBefore(clock.now()); // the store gives the whole day's
  const waiting = new Set<PacedMessage>();
  /** How long recent messages (by id) were held, for their answers; the oldest are forgotten. */
  const waited = new Map<string, number>();
  /** Holds in progress wake up when the policy changes: a looser one may let them go at once. */
  const wakers = new Set<() => void>();

  const state = (): PacingState => ({
    policy,
    defaults: DEFAULT_PACING,
    usage: usageIn(history, clock.now()),
    waiting: [...waiting],
  });
  const changed = () => {
    if (deps.onChange && (deps.watched?.() ?? true)) deps.onChange(state());
  };

  /** Counted when its hold ends, not when it leaves: two chats cannot both take a cap's last place while one types. */
  function record(chat: string, newChat: boolean, messageId: string | undefined): void {
    const at = clock.now();
    history.push({ chat, at, newChat }, messageId);
    history.forgetBefore(at);
  }

  /** Until `ms` have passed or the policy changes; with no end (Infinity), only the latter. */
  function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        cancel();
        wakers.delete(wake);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      const cancel = Number.isFinite(ms) ? clock.after(ms, wake) : () => undefined;
      wakers.add(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }

  async function hold(
    chat: string,
    newChat: boolean,
    maxWaitMs: number,
    messageId?: string,
    signal?: AbortSignal,
  ): Promise<number> {
    const start = clock.now();
    let entry: PacedMessage | null = null;
    let jitter: number | null = null;
    try {
      for (;;) {
        const now = clock.now();
        const slot = slotIn(history, policy, chat, newChat, now);
        if (slot.limit === null) break;
        jitter ??= Math.floor(random() * policy.jitter_ms);
        const at = slot.at + jitter;
        if (at - start > maxWaitMs) throw new PacingHoldTooLong({ at, limit: slot.limit });
        if (entry) waiting.delete(entry);
        entry = {
          message_id: messageId ?? null,
          chat_jid: chat,
          until: Number.isFinite(at) ? Math.ceil(at / 1000) : null,
          limit: slot.limit,
        };
        waiting.add(entry);
        changed();
        await sleep(at - now, signal);
        signal?.throwIfAborted();
      }
    } catch (error) {
      if (entry && waiting.delete(entry)) changed();
      throw error;
    }
    if (entry) waiting.delete(entry);
    record(chat, newChat, messageId);
    changed();
    const held = clock.now() - start;
    if (messageId && held > 0) remember(waited, messageId, held);
    return held;
  }

  return {
    state,
    enabled: () => policy.enabled,
    setPolicy(next) {
      policy = next;
      changed();
      for (const wake of [...wakers]) wake();
    },
    hold,
    takeNow(chat, newChat, messageId) {
      if (slotIn(history, policy, chat, newChat, clock.now()).limit !== null) return false;
      record(chat, newChat, messageId);
      changed();
      return true;
    },
    waitedFor: (messageId) => waited.get(messageId) ?? 0,
    giveBack(messageId) {
      if (history.takeBack(messageId)) changed();
    },
  };
}
