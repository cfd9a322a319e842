import type { SessionState } from '../../../server/contract/session.ts';

export type Tone = 'ok' | 'waiting' | 'problem';

/** The header's one-word summary. */
export function stateBadge(state: SessionState | null): { text: string; tone: Tone } {
  switch (state) {
    case 'connected':
      return { text: 'Linked', tone: 'ok' };
    case 'qr':
    case 'logged_out':
      return { text: 'Not linked', tone: 'waiting' };
    case 'connecting':
      return { text: 'Connecting', tone: 'waiting' };
    case 'reconnecting':
      return { text: 'Reconnecting', tone: 'problem' };
    case 'replaced':
    case 'stopped':
      return { text: 'Stopped', tone: 'problem' };
    default:
      return { text: 'Starting', tone: 'waiting' };
  }
}

/** "the phone unlinked this device" → "The phone unlinked this device." */
function sentence(text: string | null): string {
  if (!text) return '';
  const trimmed = text.trim();
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}${/[.!?]$/.test(trimmed) ? '' : '.'} `;
}

/** What is happening and what to do about it, for the Phone link screen. */
export function stateWords(
  state: SessionState,
  lastError: string | null,
): { headline: string; advice: string | null; tone: Tone } {
  const why = sentence(lastError);
  switch (state) {
    case 'starting':
      // After a first attempt (a code that expired, a refused connection), a new one is on its way.
      return lastError
        ? { headline: 'Getting a new code…', advice: `${why}It appears here in a moment.`, tone: 'waiting' }
        : { headline: 'WaGate is starting…', advice: null, tone: 'waiting' };
    case 'qr':
      return {
        headline: 'Waiting for you to link your phone.',
        advice: lastError ? `${why}Link with the new code below.` : null,
        tone: 'waiting',
      };
    case 'connecting':
      return { headline: 'Connecting to WhatsApp…', advice: 'This usually takes a few seconds.', tone: 'waiting' };
    case 'connected':
      return { headline: 'Your phone is linked. WaGate can send messages.', advice: null, tone: 'ok' };
    case 'reconnecting':
      return {
        headline: 'Reconnecting to WhatsApp…',
        advice: /\bonline\b/.test(why)
          ? `${why}WaGate reconnects by itself.`
          : `${why}WaGate reconnects by itself. If this lasts more than a minute, check that this computer is online.`,
        tone: 'problem',
      };
    case 'logged_out':
      return {
        headline: 'This computer is not linked to WhatsApp any more.',
        advice: `${why}A new code to link again appears in a moment.`,
        tone: 'problem',
      };
    case 'replaced':
      return {
        headline: 'Another WhatsApp Web session took over this link, so WaGate stopped.',
        advice:
          'Close the other session (WhatsApp Web or another WaGate on this phone), then restart WaGate: from the tray, Quit and open it again; without the desktop app, stop “wagate serve” and start it again.',
        tone: 'problem',
      };
    case 'stopped':
      return {
        headline: "WaGate's connection to WhatsApp is stopped.",
        advice: `${why}Restart WaGate to connect again.`,
        tone: 'problem',
      };
  }
}
