import { z } from 'zod';

/**
 * How a dead stream is found: a keep-alive ping every `interval_ms`, unanswered within `timeout_ms`, means the
 * connection is dead even if the socket still looks open (a half-open TCP connection, a server gone silent). So a
 * dead stream is detected, and `GET /session` stops saying connected, within interval_ms + timeout_ms.
 */
export const WatchdogConfigSchema = z.object({
  interval_ms: z.number().int().positive().default(20_000),
  timeout_ms: z.number().int().positive().default(10_000),
});
export type WatchdogConfig = z.infer<typeof WatchdogConfigSchema>;

export interface WatchdogDeps {
  config: WatchdogConfig;
  /** One keep-alive round trip; rejects when it is not answered within the timeout. */
  ping(timeoutMs: number): Promise<unknown>;
  /** Unix ms of the last frame WhatsApp sent. */
  lastInboundAt(): number;
  /** The stream is dead: `cause` says why, in words for `GET /session`. */
  onDead(cause: string): void;
}

/** Watches one connection from when it opens; the returned function stops it (when the connection closes). */
export function startWatchdog(deps: WatchdogDeps): () => void {
  const { interval_ms, timeout_ms } = deps.config;
  let stopped = false;
  let pinging = false;
  const timer = setInterval(() => {
    if (pinging || stopped) return;
    pinging = true;
    deps
      .ping(timeout_ms)
      .catch(() => {
        if (stopped) return;
        stopped = true;
        const silentFor = Math.round((Date.now() - deps.lastInboundAt()) / 1000);
        deps.onDead(`No answer from WhatsApp for ${silentFor} s`);
      })
      .finally(() => (pinging = false));
  }, interval_ms);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
