import type { SessionState } from '../api/types.ts';

export type Tone = 'ok' | 'waiting' | 'problem';

/** The header's one-word summary. */
export function stateBadge(state: SessionState | null): { text: string; tone: Tone } {
  switch (state) {
    case 'connected':
      return { text: 'Linked', tone: 'ok' };
    case 'qr':
    case 'logged_out':
      return { text: 'Not linked', tone: 'waiting' };
    case 'reconnecting':
      return { text: 'Reconnecting', tone: 'problem' };
    case 'replaced':
    case 'stopped':
      return { text: 'Stopped', tone: 'problem' };
    default:
      return { text: 'Starting', tone: 'waiting' };
  }
}

/** What is happening and what to do about it, for the Phone link screen. */
export function stateWords(state: SessionState, lastError: string | null): { headline: string; advice: string | null; tone: Tone } {
  const why = lastError ? ` (${lastError})` : '';
  switch (state) {
    case 'starting':
      return { headline: 'WaGate is starting…', advice: null, tone: 'waiting' };
    case 'qr':
      return { headline: 'Waiting for you to link your phone.', advice: null, tone: 'waiting' };
    case 'connecting':
      return { headline: 'Connecting to WhatsApp…', advice: 'This usually takes a few seconds.', tone: 'waiting' };
    case 'connected':
      return { headline: 'Your phone is linked. WaGate can send messages.', advice: null, tone: 'ok' };
    case 'reconnecting':
      return {
        headline: `The connection to WhatsApp dropped${why}. WaGate is reconnecting by itself.`,
        advice: 'If this lasts more than a minute, check that this computer is online.',
        tone: 'problem',
      };
    case 'logged_out':
      return {
        headline: `This computer was unlinked from your phone${why}.`,
        advice: 'Link it again with the new QR code when it appears.',
        tone: 'problem',
      };
    case 'replaced':
      return {
        headline: 'Another WaGate or WhatsApp Web session took over this link, so WaGate stopped.',
        advice: 'Close the other session, then restart WaGate (from the tray: Quit, then open WaGate again).',
        tone: 'problem',
      };
    case 'stopped':
      return { headline: `WaGate's WhatsApp connection is stopped${why}.`, advice: 'Restart WaGate to connect again.', tone: 'problem' };
  }
}
