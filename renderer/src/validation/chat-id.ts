import { MAX_PHONE_DIGITS, PHONE_WRITING, normaliseChatJid, phoneDigits } from '../../../server/contract/chat-id.ts';

export type ChatIdCheck =
  | { ok: true; jid: string }
  /** `settled`: wrong however the typing goes on (a letter in a number), so it is shown at once. */
  | { ok: false; reason: string; settled: boolean };

const EXAMPLE = 'for example +1 555 000 1111';

/**
 * The rule the API applies to `chat_jid` (server/contract/chat-id.ts), with a reason in plain words.
 * Too few digits is only "settled" once the person has left the field or pressed Send.
 */
export function checkChatId(input: string): ChatIdCheck {
  const value = input.trim();
  if (value === '')
    return { ok: false, reason: `Enter a phone number with its country code, ${EXAMPLE}.`, settled: false };
  const jid = normaliseChatJid(value);
  if (jid) return { ok: true, jid };
  if (value.includes('@')) {
    return {
      ok: false,
      reason: 'This is not a chat ID WhatsApp uses. A chat ID ends in @s.whatsapp.net, @g.us or @lid.',
      settled: false,
    };
  }
  if (!PHONE_WRITING.test(value)) {
    return {
      ok: false,
      reason: 'A phone number can only have digits, spaces, dashes, dots, brackets and a + at the start.',
      settled: true,
    };
  }
  const digits = phoneDigits(value);
  if (digits.startsWith('0')) {
    return { ok: false, reason: `Start with the country code instead of a 0, ${EXAMPLE}.`, settled: false };
  }
  if (digits.length > MAX_PHONE_DIGITS)
    return { ok: false, reason: `Too long: a phone number has at most ${MAX_PHONE_DIGITS} digits.`, settled: true };
  return { ok: false, reason: `Too short: write the whole number with its country code, ${EXAMPLE}.`, settled: false };
}
