import type { Core } from '../../server/core.ts';
import type { SessionSnapshot, SessionState } from '../../server/events.ts';
import { postJson, type Harness } from '../http/core-harness.ts';

/** Resolves with the first snapshot that passes `test` (now or later), or rejects after `timeoutMs`. */
export function waitForSession(core: Core, test: (s: SessionSnapshot) => boolean, what: string, timeoutMs = 20_000): Promise<SessionSnapshot> {
  const now = core.session.snapshot();
  if (test(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      core.events.off('session.state', listener);
      reject(new Error(`timed out waiting for ${what}; session is ${JSON.stringify(core.session.snapshot())}`));
    }, timeoutMs);
    const listener = (snapshot: SessionSnapshot) => {
      if (!test(snapshot)) return;
      clearTimeout(timer);
      core.events.off('session.state', listener);
      resolve(snapshot);
    };
    core.events.on('session.state', listener);
  });
}

export const waitForState = (core: Core, state: SessionState, timeoutMs?: number) =>
  waitForSession(core, (s) => s.state === state, `state ${state}`, timeoutMs);

/** Pairs exactly as a user of the API would: read the QR from GET /session/qr, let the virtual phone scan it. */
export async function pairThroughApi(h: Harness): Promise<void> {
  await waitForState(h.core, 'qr');
  const qr = await h.call('/session/qr?format=json');
  if (qr.status !== 200) throw new Error(`GET /session/qr answered ${qr.status}: ${JSON.stringify(qr.body)}`);
  const scan = await h.call('/sandbox/phone/scan', postJson({ qr: qr.body.data.qr }));
  if (scan.status !== 200) throw new Error(`scan answered ${scan.status}: ${JSON.stringify(scan.body)}`);
  await waitForState(h.core, 'connected');
}

/** Resolves when `check` holds, re-checking on each bus event or every 50 ms, for state kept outside the bus. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
