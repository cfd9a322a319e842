import type { PacedSend } from '../store/pacing-history.ts';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** How many of the latest sends with a message id can be taken back (a held message that did not leave). */
const TAKE_BACK_LIMIT = 1000;

/**
 * The sends pacing measures a new one against, so that every question it asks costs the same however many left today
 * (a binary search, or a look-up per chat), and so that its memory does not grow with the day's sends. Every question
 * looks back at most an hour (the caps, the usage, and the chat gap: server/contract/pacing.ts allows an hour at
 * most), except which chats that had never written to us were written to in the last day: for those only each chat's
 * latest such send counts. Call `forgetBefore(now)` as time passes; until then it keeps all it was given.
 */
export class RecentSends {
  /** The last hour's sends, oldest first; those before `head` have left it and are dropped in bulk now and then. */
  private sends: PacedSend[] = [];
  private head = 0;
  /** Each chat's latest send of the last hour. */
  private readonly latest = new Map<string, PacedSend>();
  /**
   * Each chat that had never written to us and was written to in the last day: its sends as such, oldest first. Only
   * the latest that can no longer be taken back, and those after it that still can: no earlier one could ever be the
   * chat's latest again.
   */
  private readonly opened = new Map<string, PacedSend[]>();
  /**
   * The opened chats, each once, in a binary heap: the soonest to leave the day first, by a time no later than its
   * latest send (brought up to date when it comes first). A queue in order of each chat's latest send would have to
   * move a chat on every send to it, and a Map kept in that order is slow to read from the front.
   */
  private leaving: { chat: string; at: number }[] = [];
  /** The sends that can still be taken back, by message id, oldest first. */
  private readonly byId = new Map<string, PacedSend>();
  /** Sends at or before this have left the day. */
  private dayCutoff = -Infinity;

  constructor(sends: readonly PacedSend[]) {
    for (const send of sends) this.push(send);
  }

  /** A send that left (no earlier than those before it); with an id, `takeBack(messageId)` can take it back. */
  push(send: PacedSend, messageId?: string): void {
    this.sends.push(send);
    this.latest.set(send.chat, send);
    if (send.newChat) this.open(send);
    if (!messageId) return this.settle(send);
    this.byId.set(messageId, send);
    if (this.byId.size > TAKE_BACK_LIMIT) {
      const [oldestId, oldest] = this.byId.entries().next().value!;
      this.byId.delete(oldestId);
      this.settle(oldest);
    }
  }

  /** Forgets what no question asked at `now` or later needs. */
  forgetBefore(now: number): void {
    this.leaveHour(now - HOUR);
    this.leaveDay(now - DAY);
  }

  /** Takes back the send pushed with this id (rare: a held message that did not leave); false if it cannot be. */
  takeBack(messageId: string): boolean {
    const send = this.byId.get(messageId);
    if (!send) return false;
    this.byId.delete(messageId);
    this.removeFromHour(send);
    if (send.newChat) this.unopen(send);
    return true;
  }

  /** How many left in the last hour. */
  get count(): number {
    return this.sends.length - this.head;
  }

  /** When the `n`th latest send of the last hour left (n from 1). */
  nthLatest(n: number): number {
    return this.sends[this.sends.length - n]!.at;
  }

  /** How many left after `since`, no more than an hour ago. */
  countAfter(since: number): number {
    let low = this.head;
    let high = this.sends.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.sends[middle]!.at > since) high = middle;
      else low = middle + 1;
    }
    return this.sends.length - low;
  }

  /** The chat's latest send, if it was within the last hour. */
  latestTo(chat: string): PacedSend | undefined {
    return this.latest.get(chat);
  }

  /**
   * How many chats that had never written to us were written to after `since`, no more than a day ago, forgetting
   * those before it: without a walk over every such chat of the day.
   */
  newChatCountAfter(since: number): number {
    this.leaveDay(since);
    return this.opened.size;
  }

  /** The chats that had never written to us and were written to after `since`: each one's latest such send. */
  newChatsAfter(since: number): Map<string, number> {
    const opened = new Map<string, number>();
    for (const [chat, sends] of this.opened) if (sends.at(-1)!.at > since) opened.set(chat, sends.at(-1)!.at);
    return opened;
  }

  /** How many sends it holds, for the tests that bound its memory. */
  get kept(): number {
    return new Set([...this.sends.slice(this.head), ...[...this.opened.values()].flat(), ...this.byId.values()]).size;
  }

  private open(send: PacedSend): void {
    const sends = this.opened.get(send.chat);
    if (sends) return void sends.push(send);
    this.opened.set(send.chat, [send]);
    this.leaving.push({ chat: send.chat, at: send.at });
    this.siftUp(this.leaving.length - 1);
  }

  /**
   * The send can no longer be taken back: the chat's sends before it can never be its latest again. When it is the
   * latest, in an array of its own: most chats keep one send, and an array that grew keeps room for 17.
   */
  private settle(send: PacedSend): void {
    const sends = send.newChat ? this.opened.get(send.chat) : undefined;
    const index = sends?.indexOf(send) ?? -1;
    if (index <= 0) return;
    if (index === sends!.length - 1) this.opened.set(send.chat, [send]);
    else for (let i = 0; i < index; i++) sends!.shift(); // V8 trims the front; a splice moved all the rest
  }

  private leaveHour(cutoff: number): void {
    while (this.head < this.sends.length && this.sends[this.head]!.at <= cutoff) {
      const gone = this.sends[this.head++]!;
      if (this.latest.get(gone.chat) === gone) this.latest.delete(gone.chat);
    }
    if (this.head > 1024 && this.head * 2 > this.sends.length) {
      this.sends = this.sends.slice(this.head);
      this.head = 0;
    }
  }

  private leaveDay(cutoff: number): void {
    this.dayCutoff = Math.max(this.dayCutoff, cutoff);
    while (this.leaving.length > 0 && this.leaving[0]!.at <= this.dayCutoff) {
      const first = this.leaving[0]!;
      first.at = this.opened.get(first.chat)!.at(-1)!.at;
      if (first.at <= this.dayCutoff) {
        this.opened.delete(first.chat);
        this.leaving[0] = this.leaving.at(-1)!;
        this.leaving.pop();
      }
      this.siftDown(0);
    }
  }

  /** The chat's latest send becomes the one before, if that is still within the hour. */
  private removeFromHour(send: PacedSend): void {
    const index = this.sends.lastIndexOf(send);
    if (index < this.head) return;
    this.sends.splice(index, 1);
    if (this.latest.get(send.chat) !== send) return;
    const before = this.sends.findLast((s, i) => i >= this.head && s.chat === send.chat);
    if (before) this.latest.set(send.chat, before);
    else this.latest.delete(send.chat);
  }

  /** The chat's latest send as a new chat becomes the one before, if that is still within the day. */
  private unopen(send: PacedSend): void {
    const sends = this.opened.get(send.chat);
    const index = sends?.indexOf(send) ?? -1;
    if (index < 0) return;
    sends!.splice(index, 1);
    if (index < sends!.length) return;
    while (sends!.length > 0 && sends![0]!.at <= this.dayCutoff) sends!.shift();
    if (sends!.length === 0) this.opened.delete(send.chat);
    this.rebuildLeaving();
  }

  /** After a chat's latest send went back in time, or the chat left: a sorted array is a heap. */
  private rebuildLeaving(): void {
    this.leaving = [...this.opened].map(([chat, sends]) => ({ chat, at: sends.at(-1)!.at }));
    this.leaving.sort((a, b) => a.at - b.at);
  }

  private siftUp(index: number): void {
    while (index > 0) {
      const parent = (index - 1) >>> 1;
      if (this.leaving[parent]!.at <= this.leaving[index]!.at) return;
      this.swap(index, parent);
      index = parent;
    }
  }

  private siftDown(index: number): void {
    for (;;) {
      const [left, right] = [2 * index + 1, 2 * index + 2];
      let first = index;
      if (left < this.leaving.length && this.leaving[left]!.at < this.leaving[first]!.at) first = left;
      if (right < this.leaving.length && this.leaving[right]!.at < this.leaving[first]!.at) first = right;
      if (first === index) return;
      this.swap(index, first);
      index = first;
    }
  }

  private swap(a: number, b: number): void {
    [this.leaving[a], this.leaving[b]] = [this.leaving[b]!, this.leaving[a]!];
  }
}
