import { z } from 'zod';
import type { Clock } from '../clock.ts';

/** A whole number in a range, with an error that names the setting in the words the dashboard uses. */
const whole = (name: string, words: string, min: number, max: number) => {
  const error = `${name} (${words}) must be a whole number from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

/**
 * How fast WaGate lets messages leave, so the number does not send like a machine. Conservative by default: a person
 * chatting never meets these limits, a script blasting a list does.
 */
export const PacingPolicySchema = z
  .object({
    enabled: z.boolean({ error: 'enabled must be true or false' }).default(true),
    /** The least time between two messages to the same chat. */
    chat_gap_ms: whole('chat_gap_ms', 'the pause between two messages to one chat, in ms', 0, 3_600_000).default(3000),
    /** Messages to all chats together in any 60 seconds. */
    per_minute: whole('per_minute', 'messages per minute', 1, 1000).default(12),
    /** Messages to all chats together in any hour. */
    per_hour: whole('per_hour', 'messages per hour', 1, 10_000).default(200),
    /** Chats that have never written to this number that may be written to in any 24 hours: the reach-out limit. */
    new_chats_per_day: whole('new_chats_per_day', 'new chats per day', 0, 10_000).default(20),
    /** Up to this much more, at random, whenever a message is held back, so the rhythm does not look machine-made. */
    jitter_ms: whole('jitter_ms', 'the random extra wait, in ms', 0, 60_000).default(1500),
  })
  .strict();
export type PacingPolicy = z.infer<typeof PacingPolicySchema>;

export const DEFAULT_PACING: PacingPolicy = PacingPolicySchema.parse({});

/** Which limit holds a message back. */
export const PacingLimitSchema = z.enum(['chat_gap', 'per_minute', 'per_hour', 'new_chats_per_day']);
export type PacingLimit = z.infer<typeof PacingLimitSchema>;

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A message that left: when, to which chat, and whether that chat had never written to us. */
export interface PacedSend {
  chat: string;
  /** Unix ms. */
  at: number;
  newChat: boolean;
}

export interface PacingSlot {
  /** Unix ms when the message may leave; `now` when nothing holds it back, Infinity when nothing ever will. */
  at: number;
  /** The limit that holds it back the longest; null when none does. */
  limit: PacingLimit | null;
}

/** When `cap` sends per `windowMs` allow one more: once the cap-th latest of `times` (sorted) leaves the window. */
function capFree(times: number[], cap: number, windowMs: number): number {
  if (cap === 0) return Infinity;
  if (times.length < cap) return -Infinity;
  return times[times.length - cap]! + windowMs;
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
  if (!policy.enabled) return { at: now, limit: null };
  const times = history.map((s) => s.at);
  const candidates: [PacingLimit, number][] = [
    ['per_minute', capFree(times, policy.per_minute, MINUTE)],
    ['per_hour', capFree(times, policy.per_hour, HOUR)],
  ];
  const lastToChat = history.findLast((s) => s.chat === chat);
  if (lastToChat) candidates.unshift(['chat_gap', lastToChat.at + policy.chat_gap_ms]);
  const lastByNewChat = new Map<string, number>();
  for (const s of history) if (s.newChat && s.at > now - DAY) lastByNewChat.set(s.chat, s.at);
  if (newChat && !lastByNewChat.has(chat)) {
    const opened = [...lastByNewChat.values()].sort((a, b) => a - b);
    candidates.push(['new_chats_per_day', capFree(opened, policy.new_chats_per_day, DAY)]);
  }
  let slot: PacingSlot = { at: now, limit: null };
  for (const [limit, at] of candidates) if (at > slot.at) slot = { at, limit };
  return slot;
}

/** Sends in the windows the policy counts, as the Pacing screen shows them. */
export const PacingUsageSchema = z.object({
  last_minute: z.number().int(),
  last_hour: z.number().int(),
  /** Chats that have never written to us, written to in the last 24 hours. */
  new_chats_today: z.number().int(),
});
export type PacingUsage = z.infer<typeof PacingUsageSchema>;

export const PacedMessageSchema = z.object({
  /** Known when the outbox holds the message; a synchronous send gets its id from WhatsApp only as it leaves. */
  message_id: z.string().nullable(),
  chat_jid: z.string(),
  /** Unix ms when pacing lets it leave; null when the policy lets nothing of the kind leave at all. */
  until: z.number().int().nullable(),
  limit: PacingLimitSchema,
});
export type PacedMessage = z.infer<typeof PacedMessageSchema>;

/** What `GET /admin/pacing` answers and each 'pacing.changed' event carries. */
export const PacingStateSchema = z.object({
  policy: PacingPolicySchema,
  defaults: PacingPolicySchema,
  usage: PacingUsageSchema,
  /** Messages held back by pacing right now, longest-waiting first. */
  waiting: z.array(PacedMessageSchema),
});
export type PacingState = z.infer<typeof PacingStateSchema>;

export function usageOf(history: readonly PacedSend[], now: number): PacingUsage {
  const since = (ms: number) => history.filter((s) => s.at > now - ms);
  return {
    last_minute: since(MINUTE).length,
    last_hour: since(HOUR).length,
    new_chats_today: new Set(
      since(DAY)
        .filter((s) => s.newChat)
        .map((s) => s.chat),
    ).size,
  };
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
  setPolicy(policy: PacingPolicy): void;
  /**
   * Waits until pacing lets a message to `chat` leave, counts it as sent, and answers how long it waited (0 when
   * nothing held it back). Throws PacingHoldTooLong, without waiting, if that would be longer than `maxWaitMs`.
   */
  hold(chat: string, newChat: boolean, maxWaitMs: number, messageId?: string, signal?: AbortSignal): Promise<number>;
  /** How long the message with this id was held back (0 if it was not, or is unknown); read once its answer is due. */
  waitedFor(messageId: string): number;
}

export interface PacerDeps {
  policy: PacingPolicy;
  clock: Clock;
  /** Sends that left before this process started (from the message store), oldest first. */
  history?: PacedSend[];
  random?: () => number;
  /** Called whenever the state changes: a send counted, a message held or let go, a new policy. */
  onChange?: (state: PacingState) => void;
}

/** The pacing policy, the recent sends it is measured against (the last day's), and the messages it holds back. */
export function createPacer(deps: PacerDeps): Pacer {
  const { clock } = deps;
  const random = deps.random ?? Math.random;
  let policy = deps.policy;
  let history: PacedSend[] = [...(deps.history ?? [])];
  const waiting = new Set<PacedMessage>();
  /** How long recent messages (by id) were held, for their answers; the oldest are forgotten. */
  const waited = new Map<string, number>();
  /** Holds in progress wake up when the policy changes: a looser one may let them go at once. */
  const wakers = new Set<() => void>();

  const state = (): PacingState => ({
    policy,
    defaults: DEFAULT_PACING,
    usage: usageOf(history, clock.now()),
    waiting: [...waiting],
  });
  const changed = () => deps.onChange?.(state());

  function record(chat: string, newChat: boolean): void {
    const at = clock.now();
    history.push({ chat, at, newChat });
    const from = history.findIndex((s) => s.at > at - DAY);
    history = from < 0 ? [] : history.slice(from);
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
        const slot = earliestSlot(history, policy, chat, newChat, now);
        if (slot.limit === null) break;
        jitter ??= Math.floor(random() * policy.jitter_ms);
        const at = slot.at + jitter;
        if (at - start > maxWaitMs) throw new PacingHoldTooLong({ at, limit: slot.limit });
        if (entry) waiting.delete(entry);
        entry = {
          message_id: messageId ?? null,
          chat_jid: chat,
          until: Number.isFinite(at) ? at : null,
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
    record(chat, newChat);
    changed();
    const held = clock.now() - start;
    if (messageId && held > 0) {
      waited.set(messageId, held);
      if (waited.size > 1000) waited.delete(waited.keys().next().value!);
    }
    return held;
  }

  return {
    state,
    setPolicy(next) {
      policy = next;
      changed();
      for (const wake of [...wakers]) wake();
    },
    hold,
    waitedFor: (messageId) => waited.get(messageId) ?? 0,
  };
}
