import type { Logger } from '../logger.ts';
import type { EventLog } from '../store/event-log.ts';
import type { AttemptResult, DueDelivery, WebhookStore } from './webhook-store.ts';
import { HOUR_MS, WEBHOOK } from '../contract/lifetimes.ts';
import { signedHeaders } from './signature.ts';
import { DELIVERY_HEADERS, type WebhookRecord } from '../contract/webhooks.ts';

export interface DispatcherDeps {
  store: WebhookStore;
  eventLog: EventLog;
  logger: Logger;
  /** Told after every recorded attempt and every new delivery, so the dashboard's log follows without asking. */
  onActivity?: () => void;
  now?: () => number;
  fetchImpl?: typeof fetch;
  /** In [0, 1): the jitter of the backoff. */
  random?: () => number;
  /** A receiver that has not answered in this time has failed the attempt. */
  timeoutMs?: number;
  /** Retry n waits a random time up to min(capMs, baseMs · 2^(n-1)) ("full jitter"). */
  backoff?: { baseMs: number; capMs: number };
  /** A webhook is paused once it has failed this many times in a row and for at least this long. */
  pauseAfter?: { attempts: number; ms: number };
  /** An unsent delivery older than this is given up ('dead'); finished ones stay in the log for twice as long. */
  maxAgeMs?: number;
  /** The longest the queue goes unlooked at; it also catches a webhook resumed from another process. */
  maxSleepMs?: number;
  /** How long stop() lets attempts under way finish, so a normal shutdown does not send them twice. */
  stopGraceMs?: number;
}

export interface WebhookDispatcher {
  start(): void;
  /**
   * Stops sending. Attempts under way get `stopGraceMs` to finish and be recorded; one cut short after that is not
   * counted and is sent again after the next start.
   */
  stop(): Promise<void>;
}

const PAGE = 500;
const HOUSEKEEPING_EVERY_MS = 60_000;
/** With no webhook, how often the cursor is moved past what was logged. */
const CURSOR_SKIP_EVERY_MS = 5_000;
/** How long "no webhook" is believed without asking again (dispatcher's noWebhooks). */
const NO_WEBHOOK_TRUSTED_MS = 1_000;
const SNIPPET_CHARS = 200;

/** The start of an error answer's body, for the delivery log: receivers often say there why they refused. */
async function bodySnippet(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < SNIPPET_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body cut off is still worth the part that arrived.
  } finally {
    reader.cancel().catch(() => {});
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, SNIPPET_CHARS);
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = err.cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED): is the receiver running?';
  if (cause?.code) return `${cause.message ?? err.message} (${cause.code})`;
  return cause?.message ?? err.message;
}

/** Where a webhook points, without a query string that may carry the receiver's own token. */
function safeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * Turns every logged event into deliveries, one per matching webhook, and sends them: signed, in event order per
 * webhook, retried with backoff from the SQLite queue, so neither a receiver that is down nor a restart loses one.
 */
export function createWebhookDispatcher(deps: DispatcherDeps): WebhookDispatcher {
  const {
    store,
    eventLog,
    logger,
    now = Date.now,
    fetchImpl = fetch,
    random = Math.random,
    timeoutMs = WEBHOOK.timeoutMs,
  } = deps;
  const backoff = deps.backoff ?? WEBHOOK.backoff;
  const pauseAfter = deps.pauseAfter ?? WEBHOOK.pauseAfter;
  const maxAgeMs = deps.maxAgeMs ?? WEBHOOK.maxAgeMs;
  const maxSleepMs = deps.maxSleepMs ?? 60_000;
  const stopGraceMs = deps.stopGraceMs ?? 2_000;

  const busy = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let aborter = new AbortController();
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let enqueueSoon: NodeJS.Immediate | null = null;
  let skipSoon: NodeJS.Timeout | null = null;
  let lastHousekeeping = 0;
  let unsubscribe: (() => void)[] = [];

  function retryDelay(attempt: number): number {
    return Math.floor(random() * Math.min(backoff.capMs, backoff.baseMs * 2 ** (attempt - 1)));
  }

  /**
   * "No webhook", as last read, is trusted for a second: asking SQLite per batch of events was a read transaction each
   * (a few a send). The store's own changes reset it at once; a webhook added by another process (the CLI) is seen
   * within it, and the cursor's timer then enqueues what was logged meanwhile.
   */
  let noneUntil = 0;
  function noWebhooks(): boolean {
    const at = performance.now();
    if (at < noneUntil) return true;
    if (store.hasWebhooks()) return false;
    noneUntil = at + NO_WEBHOOK_TRUSTED_MS;
    return true;
  }

  /** With no webhook, the cursor moves past what was logged now and then, without reading it. */
  function skipNow(): void {
    if (skipSoon) clearTimeout(skipSoon);
    skipSoon = null;
    noneUntil = 0;
    if (!store.hasWebhooks()) return store.skipTo(eventLog.latestId());
    if (!running) return;
    enqueueNew();
    kick();
  }

  function skipLater(): void {
    skipSoon ??= setTimeout(skipNow, CURSOR_SKIP_EVERY_MS).unref();
  }

  /**
   * Everything logged after the cursor becomes deliveries: also what was logged just before a crash. False when there
   * is no webhook to deliver to.
   */
  function enqueueNew(): boolean {
    enqueueSoon = null;
    // Nothing to deliver to: nothing is read (the JSON of every event, per send), and the cursor is written at most
    // every few seconds rather than a commit per event. A webhook added meanwhile gets only the events logged after
    // it (store.enqueue compares each event with its created_at), so a cursor left behind only costs that one read.
    if (noWebhooks()) {
      skipLater();
      return false;
    }
    for (
      let page = eventLog.since(store.cursor(), PAGE);
      page.length > 0;
      page = eventLog.since(store.cursor(), PAGE)
    ) {
      store.enqueue(page);
      deps.onActivity?.();
    }
    return true;
  }

  function housekeeping(at: number): void {
    if (at - lastHousekeeping < HOUSEKEEPING_EVERY_MS) return;
    lastHousekeeping = at;
    const expired = store.expire(at - maxAgeMs, at - 2 * maxAgeMs);
    if (expired > 0)
      logger.warn(
        { deliveries: expired, max_age_hours: maxAgeMs / HOUR_MS },
        'webhook deliveries given up: not delivered in time',
      );
  }

  async function attempt(d: DueDelivery): Promise<AttemptResult> {
    const timestamp = Math.floor(now() / 1000);
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), aborter.signal]);
    const res = await fetchImpl(d.url, {
      method: 'POST',
      redirect: 'manual',
      signal,
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'WaGate-Webhooks',
        ...signedHeaders(d.secret, d.id, timestamp, d.body),
        [DELIVERY_HEADERS.event]: d.event_type,
      },
      body: d.body,
    });
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel();
      return { ok: true, statusCode: res.status, error: null };
    }
    const snippet = await bodySnippet(res);
    return { ok: false, statusCode: res.status, error: `HTTP ${res.status}${snippet ? `: ${snippet}` : ''}` };
  }

  function maybePause(hook: WebhookRecord, at: number): void {
    if (hook.status !== 'active' || hook.failing_since === null) return;
    if (hook.consecutive_failures < pauseAfter.attempts || at - hook.failing_since < pauseAfter.ms) return;
    const hours = Math.round((at - hook.failing_since) / HOUR_MS);
    const reason = `failed ${hook.consecutive_failures} times in a row over ${hours} h; resume it once the receiver works`;
    store.pause(hook.id, reason);
    logger.warn({ webhook: hook.id, url: safeUrl(hook.url), reason }, 'webhook paused');
  }

  async function send(d: DueDelivery): Promise<void> {
    let result: AttemptResult;
    try {
      result = await attempt(d);
    } catch (error) {
      // Cut short by stop(): not the receiver's fault, so not an attempt; it is sent again after the next start.
      if (aborter.signal.aborted) return;
      result = { ok: false, statusCode: null, error: describeFailure(error, timeoutMs) };
    }
    const at = now();
    const hook = store.recordAttempt(d, result, at, at + retryDelay(d.attempts + 1));
    deps.onActivity?.();
    if (result.ok || !hook) return;
    logger.info(
      { webhook: d.webhook_id, delivery: d.id, attempt: d.attempts + 1, error: result.error },
      'webhook delivery failed; it will be retried',
    );
    maybePause(hook, at);
  }

  function launch(d: DueDelivery): void {
    busy.add(d.webhook_id);
    const job = send(d)
      .catch((error: unknown) =>
        logger.error({ err: error, webhook: d.webhook_id, delivery: d.id }, 'webhook delivery could not be recorded'),
      )
      .finally(() => {
        busy.delete(d.webhook_id);
        inFlight.delete(job);
        if (running) kick();
      });
    inFlight.add(job);
  }

  /** Sends every due head and sleeps until the next one is due (or something changes). */
  function kick(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!running) return;
    let wake = maxSleepMs;
    try {
      const at = now();
      housekeeping(at);
      for (const head of store.heads()) {
        if (busy.has(head.webhook_id)) continue;
        const waitMs = (head.next_attempt_at ?? at) - at;
        if (waitMs <= 0) launch(head);
        else wake = Math.min(wake, waitMs);
      }
    } catch (error) {
      logger.error({ err: error }, 'webhook queue could not be read');
    }
    timer = setTimeout(kick, wake);
    timer.unref();
  }

  function onEvent(): void {
    if (enqueueSoon) return;
    // With no webhook as last read, the batch's turn would only find that again: no immediate per event then.
    if (performance.now() < noneUntil) return skipLater();
    enqueueSoon = setImmediate(() => {
      try {
        if (!enqueueNew()) return;
      } catch (error) {
        // The cursor did not move: these events are enqueued on the next event or start.
        logger.error({ err: error }, 'webhook deliveries could not be queued');
      }
      kick();
    });
  }

  return {
    start() {
      if (running) return;
      running = true;
      aborter = new AbortController();
      // Subscribing before catching up: both run in this tick, so no event falls between them.
      unsubscribe = [
        eventLog.subscribe(onEvent),
        store.onChange(() => {
          noneUntil = 0;
          kick();
        }),
      ];
      enqueueNew();
      kick();
    },
    async stop() {
      running = false;
      for (const fn of unsubscribe) fn();
      unsubscribe = [];
      if (timer) clearTimeout(timer);
      if (enqueueSoon) clearImmediate(enqueueSoon);
      timer = null;
      enqueueSoon = null;
      if (skipSoon) skipNow();
      const settled = Promise.allSettled([...inFlight]);
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([settled, new Promise((resolve) => (grace = setTimeout(resolve, stopGraceMs)))]);
      clearTimeout(grace);
      aborter.abort();
      await settled;
    },
  };
}
