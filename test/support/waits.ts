import type { CoreEvents, SessionSnapshot, SessionState } from '../../server/events.ts';

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
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      source.events.off('session.state', listener);
      reject(new Error(`timed out waiting for ${what}; session is ${JSON.stringify(source.session.snapshot())}`));
    }, timeoutMs);
    const listener = (snapshot: SessionSnapshot) => {
      if (!test(snapshot)) return;
      clearTimeout(timer);
      source.events.off('session.state', listener);
      resolve(snapshot);
    };
    source.events.on('session.state', listener);
  });
}

export const waitForState = (source: SessionSource, state: SessionState, timeoutMs?: number) =>
  waitForSession(source, (s) => s.state === state, `state ${state}`, timeoutMs);

/**
 * Resolves with the first truthy value of `check`, re-checking every 25 ms: for state kept outside the bus, such as
 * the simulator's inboxes or another process's answers. Rejects after `timeoutMs`.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
