import { useRef, useState } from 'react';
import { useCoreEvent } from '../api/events.ts';
import type { PacingLimit } from '../../../server/contract/pacing.ts';
import { PACING_LIMIT_WORDS } from '../../../server/contract/pacing-words.ts';
import { clockTime } from '../format/time.ts';

/** Where a send from the form is, as the core's events tell it. */
export type SendStep =
  | { kind: 'asking' }
  | { kind: 'queued' }
  | { kind: 'paced'; until: number | null; limit: PacingLimit }
  | { kind: 'leaving' }
  /** `recording`: a voice note shows “recording audio…” instead. */
  | { kind: 'typing'; seconds: number; recording: boolean }
  | { kind: 'awaiting_ack' };

/** The step in plain words, for the line under the Send button. */
export function stepWords(step: SendStep): string {
  switch (step.kind) {
    case 'asking':
      return 'Handing the message to WaGate…';
    case 'queued':
      return 'In the outbox, waiting for the messages before it to this chat…';
    case 'paced':
      return step.until === null
        ? `Held back by pacing (${PACING_LIMIT_WORDS[step.limit]}): it leaves when the policy allows it.`
        : `Held back by pacing (${PACING_LIMIT_WORDS[step.limit]}) until ${clockTime(step.until * 1000)}, so the number does not send like a machine…`;
    case 'leaving':
      return 'Leaving the outbox…';
    case 'typing':
      return `Showing “${step.recording ? 'recording audio…' : 'typing…'}” in the chat for ${step.seconds} s, as a person would…`;
    case 'awaiting_ack':
      return 'Sent to WhatsApp’s server, waiting for its acknowledgement…';
  }
}

export interface SendProgress {
  step: SendStep | null;
  /** A send to this chat is on its way; `voice` for a voice note. */
  start(chatJid: string, voice?: boolean): void;
  stop(): void;
}

/**
 * Follows the form's own send through the core's events. A synchronous send learns its message id only from the
 * answer, so the first `queued` for the chat while the request is out is taken as ours: another program sending to
 * the same chat in the same instant could swap the progress words, never the outcome, which the answer says.
 */
export function useSendProgress(onStep: (step: SendStep) => void): SendProgress {
  const [step, setStep] = useState<SendStep | null>(null);
  const tracked = useRef<{ chat: string; id: string | null; voice: boolean } | null>(null);

  const move = (next: SendStep) => {
    setStep(next);
    onStep(next);
  };
  const mine = (id: string) => tracked.current !== null && tracked.current.id === id;

  useCoreEvent('message.status', (change) => {
    const send = tracked.current;
    if (!send) return;
    if (send.id === null && change.status === 'queued' && change.chat_jid === send.chat) {
      send.id = change.message_id;
      move({ kind: 'queued' });
    } else if (mine(change.message_id) && change.status === 'sending') move({ kind: 'leaving' });
  });
  useCoreEvent('pacing.changed', (state) => {
    const held = state.waiting.find((paced) => paced.message_id !== null && mine(paced.message_id));
    if (held) move({ kind: 'paced', until: held.until, limit: held.limit });
  });
  useCoreEvent('message.progress', (progress) => {
    if (!mine(progress.message_id)) return;
    if (progress.step === 'typing')
      move({
        kind: 'typing',
        seconds: Math.max(1, Math.round((progress.duration_ms ?? 0) / 1000)),
        recording: tracked.current?.voice ?? false,
      });
    else move({ kind: 'awaiting_ack' });
  });

  return {
    step,
    start(chatJid, voice = false) {
      tracked.current = { chat: chatJid, id: null, voice };
      setStep({ kind: 'asking' });
    },
    stop() {
      tracked.current = null;
      setStep(null);
    },
  };
}
