import TinyQueue from 'tinyqueue';
import type { Clock } from '../clock.ts';
import type { FirstStep, OutboxJob } from '../store/outbox.ts';

/**
 * What the worker's queue keeps of a job until its turn, when the whole job is read by id (a cancel or a failure shows
 * there): the sender has these at acceptance, so a new job is queued without reading it back. `taken`: the worker took
 * it at once (`takeAtOnce`) and its acceptance committed that first `step`, so its first try does not take it again;
 * `job` is the job as accepted (`acceptedJob`).
 */
export type QueuedJob = Pick<
  OutboxJob,
  'message_id' | 'chat_jid' | 'send_at' | 'created_at' | 'presence_simulation'
> & {
  taken?: { step: FirstStep; job: OutboxJob };
};

/**
 * The jobs still to take, per chat. A chat's next is its earliest to leave (its send_at, or when it was accepted),
 * then the first accepted, among those due. Each take costs log(n): a backlog of many thousands (a bulk send, or
 * messages scheduled ahead) neither slows each take nor each acceptance.
 */
export interface OutboxQueue {
  add(job: QueuedJob): void;
  /** The chat's next job if one is due, taken off the queue. */
  takeDue(chatJid: string): QueuedJob | undefined;
  has(chatJid: string): boolean;
  chats(): Iterable<string>;
  /** Whether a job that shows presence is due (then the account stays online for it). */
  anyDueShowingPresence(): boolean;
  /** When the earliest job that is not due yet will be, in Unix seconds; null if none waits. */
  nextDueAt(): number | null;
  clear(): void;
}

interface Entry {
  job: QueuedJob;
  /** Acceptance order: ties leave first accepted first. */
  order: number;
}

/** A chat's jobs: those without send_at are due from acceptance; the scheduled ones once their time comes. */
interface ChatJobs {
  now: TinyQueue<Entry>;
  scheduled: TinyQueue<Entry>;
}

const leaves = (job: QueuedJob) => job.send_at ?? job.created_at;
const byTurn = (a: Entry, b: Entry) => leaves(a.job) - leaves(b.job) || a.order - b.order;

const isDueAt = (job: Pick<QueuedJob, 'send_at'>, nowMs: number) => job.send_at === null || job.send_at * 1000 <= nowMs;

export function createOutboxQueue(clock: Pick<Clock, 'now'>): OutboxQueue {
  const byChat = new Map<string, ChatJobs>();
  /** send_at of each scheduled job added: the past ones are dropped when the next wake is asked for. */
  let wakes = new TinyQueue<number>([], (a, b) => a - b);
  let accepted = 0;
  let showingPresence = 0;
  const isDue = (job: QueuedJob) => isDueAt(job, clock.now());

  /** The heap that holds the chat's next due job: a scheduled heap's first is the first of it to come due. */
  function nextOf(jobs: ChatJobs): TinyQueue<Entry> | undefined {
    const now = jobs.now.peek();
    const scheduled = jobs.scheduled.peek();
    const dueScheduled = scheduled && isDue(scheduled.job) ? scheduled : undefined;
    if (now && (!dueScheduled || byTurn(now, dueScheduled) < 0)) return jobs.now;
    return dueScheduled ? jobs.scheduled : undefined;
  }

  return {
    add(job) {
      let jobs = byChat.get(job.chat_jid);
      if (!jobs)
        byChat.set(job.chat_jid, (jobs = { now: new TinyQueue([], byTurn), scheduled: new TinyQueue([], byTurn) }));
      (job.send_at === null ? jobs.now : jobs.scheduled).push({ job, order: accepted++ });
      if (job.send_at !== null) wakes.push(job.send_at);
      if (job.presence_simulation) showingPresence++;
    },
    takeDue(chatJid) {
      const jobs = byChat.get(chatJid);
      const from = jobs && nextOf(jobs);
      if (!from) return undefined;
      const { job } = from.pop()!;
      if (jobs.now.length === 0 && jobs.scheduled.length === 0) byChat.delete(chatJid);
      if (job.presence_simulation) showingPresence--;
      return job;
    },
    has: (chatJid) => byChat.has(chatJid),
    chats: () => byChat.keys(),
    anyDueShowingPresence() {
      if (showingPresence === 0) return false;
      const dueShowing = (e: Entry) => e.job.presence_simulation && isDue(e.job);
      return [...byChat.values()].some(
        (jobs) => jobs.now.data.some(dueShowing) || jobs.scheduled.data.some(dueShowing),
      );
    },
    nextDueAt() {
      while (wakes.length > 0 && isDueAt({ send_at: wakes.peek()! }, clock.now())) wakes.pop();
      return wakes.peek() ?? null;
    },
    clear() {
      byChat.clear();
      wakes = new TinyQueue<number>([], (a, b) => a - b);
      showingPresence = 0;
    },
  };
}
