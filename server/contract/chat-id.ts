/**
 * What a chat id may be, for the API's `chat_jid`, the pairing code's `phone_number` and the dashboard's forms alike.
 * E.164 allows at most 15 digits; the shortest international numbers (e.g. Niue) have 7 with the country code,
 * and a country code never starts with 0.
 */
export const MIN_PHONE_DIGITS = 7;
export const MAX_PHONE_DIGITS = 15;
export const PHONE_DIGITS = new RegExp(`^[1-9]\\d{${MIN_PHONE_DIGITS - 1},${MAX_PHONE_DIGITS - 1}}$`);
/** What people type around a phone number: spaces, dashes, dots and brackets. */
export const PHONE_WRITING = /^\+?[\d\s().-]+$/;

const USER_PATTERNS: Record<string, RegExp> = {
  's.whatsapp.net': PHONE_DIGITS,
  // Groups: a numeric id, or the older "creator-timestamp" form.
  'g.us': /^\d{5,30}(-\d{5,20})?$/,
  lid: /^\d{5,30}$/,
};

/**
 * Turns what a caller writes for a chat into the JID WhatsApp uses, or null when it cannot be one.
 * A phone number must be international ("+62 812-…", "62812…", "0062812…"): a national "0812…" has no
 * country and is refused rather than guessed.
 */
export function normaliseChatJid(input: string): string | null {
  const value = input.trim();
  if (value.includes('@')) return normaliseJid(value);
  return normalisePhone(value);
}

function normaliseJid(value: string): string | null {
  const at = value.indexOf('@');
  const server = value.slice(at + 1).toLowerCase();
  // A device suffix (":7") names one device of a person; the chat is the person.
  const user = value.slice(0, at).replace(/:\d+$/, '');
  const canonicalServer = server === 'c.us' ? 's.whatsapp.net' : server;
  const pattern = USER_PATTERNS[canonicalServer];
  if (!pattern || !pattern.test(user)) return null;
  return `${user}@${canonicalServer}`;
}

/** The digits of a phone number as written, without an international "00" prefix. */
export function phoneDigits(value: string): string {
  const digits = value.replace(/\D/g, '');
  // "00" is the international call prefix in most of the world: 0062… is +62….
  return !value.trim().startsWith('+') && digits.startsWith('00') ? digits.slice(2) : digits;
}

function normalisePhone(value: string): string | null {
  if (!PHONE_WRITING.test(value)) return null;
  const digits = phoneDigits(value);
  return PHONE_DIGITS.test(digits) ? `${digits}@s.whatsapp.net` : null;
}
