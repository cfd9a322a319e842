import type { PacingPolicy } from '../../server/contract/pacing.ts';

/**
 * Pacing that holds only the second message to a chat, for 5 s, with no jitter: on a fake clock the waits are exact,
 * and a test has time to act while a request waits, without waiting. The other limits are loose unless a test
 * tightens them.
 */
export const EXACT_PACING: PacingPolicy = {
  enabled: true,
  chat_gap_ms: 5000,
  per_minute: 100,
  per_hour: 1000,
  new_chats_per_day: 100,
  jitter_ms: 0,
};
