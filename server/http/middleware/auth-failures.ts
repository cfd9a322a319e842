import type { Logger } from '../../logger.ts';

export interface AuthFailures {
  /**
   * Counts a wrong API key from `client`; answers null while it is within its allowance, or the seconds until its
   * window ends once it is past it (the request is then answered 429 with that Retry-After).
   */
  record(client: string): number | null;
}

interface Window {
  startedAt: number;
  failures: number;
}

/**
 * Wrong API keys per client address, in fixed windows. Only wrong keys are counted and only they are refused: a
 * right key is never checked against this, so a flood from the same address cannot lock its owner out.
 */
export function createAuthFailures(options: {
  limit: number;
  windowMs: number;
  logger: Logger;
  now?: () => number;
}): AuthFailures {
  const { limit, windowMs, logger, now = Date.now } = options;
  const windows = new Map<string, Window>();

  function windowOf(client: string, at: number): Window {
    for (const [other, window] of windows) if (at - window.startedAt >= windowMs) windows.delete(other);
    const window = windows.get(client) ?? { startedAt: at, failures: 0 };
    windows.set(client, window);
    return window;
  }

  return {
    record(client) {
      const at = now();
      const window = windowOf(client, at);
      window.failures++;
      if (window.failures <= limit) return null;
      const retryAfter = Math.max(1, Math.ceil((window.startedAt + windowMs - at) / 1000));
      // Once per window, not once per refused request.
      if (window.failures === limit + 1)
        logger.warn({ client, failures: limit, retryAfter }, 'too many wrong API keys from one client: answering 429');
      return retryAfter;
    },
  };
}
