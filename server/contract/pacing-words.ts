import type { PacingLimit } from './pacing.ts';

/** Each pacing limit in plain words, for the API's answers and the dashboard alike. */
export const PACING_LIMIT_WORDS: Record<PacingLimit, string> = {
  chat_gap: 'the pause between two messages to the same chat',
  per_minute: 'the limit of messages per minute',
  per_hour: 'the limit of messages per hour',
  new_chats_per_day: 'the daily limit of new chats (people who have not written to this number)',
};
