import type { CoreEvents } from '../../server/events.ts';
import type { CoreEventMap } from '../../server/contract/events.ts';
import type { SessionSnapshot, SessionState } from '../../server/contract/session.ts';

/** Anything with a WhatsApp session and the bus it reports on: the core, or a test's own assembly of parts. */
export interface SessionSource {
  session: { snapshot(): SessionSnapshot };
  events: CoreEvents;
}

/** The first snapshot, now or later, that passes `test`; rejects after `timeoutMs`. Event-driven, never polled. */
export function waitForSession(
  source: SessionSource,
  test: (s: SessionSnapshot) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<SessionSnapshot> {
  const now = source.session.snapshot();
  if (test(now)) return Promise.resolve(now);
  return waitForEvent(source, 'session.state', test, what, timeoutMs).then(([snapshot]) => snapshot);
}

export const waitForState = (source: SessionSource, state: SessionState, timeoutMs?: number) =>
  waitForSession(source, (s) => s.state === state, `state ${state}`, timeoutMs);

/** The next `name` event on the bus whose arguments pass `test`; rejects after `timeoutMs`. */
export function waitForEvent<K extends keyof CoreEventMap>(
  source: SessionSource,
  name: K,
  test: (...args: CoreEventMap[K]) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<CoreEventMap[K]> {
  const events = source.events;
  return new Promise((resolve, reject) => {
    const listener = (...args: CoreEventMap[K]) => {
      if (!test(...args)) return;
      clearTimeout(timer);
      events.off(name, listener as never);
      resolve(args);
    };
    const timer = setTimeout(() => {
      events.off(name, listener as never);
      reject(new Error(`timed out waiting for ${what}; session is ${JSON.stringify(source.session.snapshot())}`));
    }, timeoutMs);
    events.on(name, listener as never);
  });
}

/**
 * Resolves with the first truthy value of `check`, re-checking every `intervalMs`: for state kept outside the bus,
 * such as the simulator's inboxes, another process's log or a browser page. Rejects after `timeoutMs`, or at once
 * when `check` throws (a probe that knows the wait is hopeless, e.g. the process exited, says so by throwing).
 */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  timeoutMs = 15_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
