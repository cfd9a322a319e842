const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "14:03:27", for things that happened in the last moments. */
export function clockTime(ms: number): string {
  return timeFormat.format(ms);
}

/** "25 Nov 2026, 14:03". */
export function dateTime(ms: number): string {
  return dateTimeFormat.format(ms);
}

/** "25 Nov 2026". */
export function dateOnly(ms: number): string {
  return dateFormat.format(ms);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600_000],
  ['month', 30 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
];

/** "3 minutes ago", "in 30 days", "just now". */
export function relativeTime(ms: number, now: number): string {
  const delta = ms - now;
  if (Math.abs(delta) < 60_000) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(delta) >= size) return relativeFormat.format(Math.round(delta / size), unit);
  }
  return 'just now';
}

/** A length of time said plainly: "a day", "7 days", "an hour", "2 hours". */
export function durationText(ms: number): string {
  for (const [unit, size] of UNITS) {
    const count = ms / size;
    if (count >= 1 && Number.isInteger(count)) {
      if (count > 1) return `${count} ${unit}s`;
      return unit === 'hour' ? 'an hour' : `a ${unit}`;
    }
  }
  return `${Math.round(ms / 1000)} seconds`;
}

/** "+15550001111" for a bare number or a person's JID; groups and LIDs are shown as they are. */
export function displayChat(jidOrNumber: string): string {
  const [user, server] = jidOrNumber.split('@');
  if (server === undefined || server === 's.whatsapp.net') return `+${(user ?? '').replace(/:\d+$/, '')}`;
  return jidOrNumber;
}

const hourMinute = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** "14:30" for a time later today, "2 Dec 2026, 14:30" for another day: how a deadline reads best. */
export function untilTime(ms: number, now: number = Date.now()): string {
  return new Date(ms).toDateString() === new Date(now).toDateString()
    ? hourMinute.format(ms)
    : dateTimeFormat.format(ms);
}

/**
 * When a message was sent or received, said one way everywhere in the dashboard: "14:03:27" today,
 * "25 Nov 2026, 14:03" another day.
 */
export function messageTime(ms: number, now: number = Date.now()): string {
  return new Date(ms).toDateString() === new Date(now).toDateString() ? clockTime(ms) : dateTime(ms);
}
