import type { AccountStanding } from './session.ts';

/** One thing WhatsApp says about the number, in plain words: a line for the tray, and what it means for the dashboard. */
export interface StandingNotice {
  kind: 'reachout_timelock' | 'message_capping';
  headline: string;
  advice: string;
  /** True when WhatsApp is refusing messages now, not only warning. */
  restricting: boolean;
}

/**
 * What the reach-out time lock and the new-chat cap mean for the user, with times written by `time` (the dashboard
 * and the tray each format them for their reader). Said here once, for both.
 */
export function standingNotices(standing: AccountStanding, time: (unixSeconds: number) => string): StandingNotice[] {
  const notices: StandingNotice[] = [];
  const lock = standing.reachout_timelock;
  if (lock) {
    notices.push({
      kind: 'reachout_timelock',
      headline: `WhatsApp is limiting messages to new chats ${lock.until ? `until ${time(lock.until)}` : 'for now'}`,
      advice:
        'Until then WhatsApp refuses messages to people who have never written to this number (error 463); chats ' +
        'that already exist keep working. Each further try at a new chat counts against the number and can make ' +
        'the restriction longer or permanent, so WaGate does not retry them: wait, and send fewer first messages.',
      restricting: true,
    });
  }
  const cap = standing.message_capping;
  if (cap && cap.status !== 'none') {
    const used = cap.used !== null && cap.quota !== null ? ` (${cap.used} of ${cap.quota} used)` : '';
    const until = cap.cycle_ends_at ? ` until ${time(cap.cycle_ends_at)}` : '';
    const capped = cap.status === 'capped';
    notices.push({
      kind: 'message_capping',
      headline: capped
        ? `WhatsApp has capped messages to new chats${used}${until}`
        : `This number is close to WhatsApp’s cap on messages to new chats${used}`,
      advice: capped
        ? 'Messages to people who have not written first are refused until the cap resets; replies to people who ' +
          'wrote to you still go out.'
        : `WhatsApp ${cap.status === 'second_warning' ? 'has warned twice' : 'warns'} that this number starts many ` +
          `new chats. Once the cap is reached, first messages are refused${until}. Lower the new-chats-per-day limit ` +
          'on the Pacing screen to stay under it.',
      restricting: capped,
    });
  }
  return notices;
}
