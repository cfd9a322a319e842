import type { NewChatMessageCapInfo, ReachoutTimelockState, WASocket } from '@whiskeysockets/baileys';
import type { Logger } from '../logger.ts';
import type { AccountStanding, MessageCapping, ReachoutTimelock } from '../contract/session.ts';

/** Baileys' enforcement type for "no restriction". */
const NO_ENFORCEMENT = 'DEFAULT';

/** Baileys' time lock as WaGate says it: null when there is none, or when its end has passed. */
export function timelockFromBaileys(lock: ReachoutTimelockState, now: number): ReachoutTimelock | null {
  if (!lock.isActive) return null;
  const until = lock.timeEnforcementEnds ? lock.timeEnforcementEnds.getTime() : null;
  if (until !== null && until <= now) return null;
  return {
    until: until === null ? null : Math.ceil(until / 1000),
    enforcement_type: lock.enforcementType ?? NO_ENFORCEMENT,
  };
}

const positiveSeconds = (value: string | undefined): number | null => {
  const seconds = Number(value);
  return value && Number.isInteger(seconds) && seconds > 0 ? seconds : null;
};

const CAPPING_STATUSES = {
  NONE: 'none',
  FIRST_WARNING: 'first_warning',
  SECOND_WARNING: 'second_warning',
  CAPPED: 'capped',
} as const;

/** Baileys' new-chat cap as WaGate says it; null when WhatsApp says nothing is capped and gives no figures. */
export function cappingFromBaileys(info: NewChatMessageCapInfo): MessageCapping | null {
  const status = CAPPING_STATUSES[info.capping_status ?? 'NONE'] ?? 'none';
  const quota = typeof info.total_quota === 'number' ? info.total_quota : null;
  if (status === 'none' && quota === null) return null;
  return {
    status,
    used: typeof info.used_quota === 'number' ? info.used_quota : null,
    quota,
    cycle_ends_at: positiveSeconds(info.cycle_end_timestamp),
  };
}

export interface StandingTracker {
  current(): AccountStanding;
  onTimelock(lock: ReachoutTimelockState): void;
  onCapping(info: NewChatMessageCapInfo): void;
  /** Asks WhatsApp for the time lock (after a connect, or a send it refused with 463) and, if `withCap`, the cap. */
  refresh(s: WASocket, withCap: boolean): void;
  /** The account was unlinked: whatever WhatsApp said about it no longer applies. */
  reset(): void;
  stop(): void;
}

export interface StandingDeps {
  logger: Logger;
  /** Called with the new standing whenever it changes. */
  publish(standing: AccountStanding): void;
  now?: () => number;
}

/**
 * What WhatsApp says about the linked account's standing: a reach-out time lock (no new chats until a time) and the
 * new-chat message cap. Baileys reports changes; on connect and after a 463 WaGate asks, since Baileys does not.
 */
export function createStandingTracker(deps: StandingDeps): StandingTracker {
  const now = deps.now ?? Date.now;
  let standing: AccountStanding = { reachout_timelock: null, message_capping: null };
  let expiry: NodeJS.Timeout | null = null;

  function set(change: Partial<AccountStanding>): void {
    const next = { ...standing, ...change };
    if (JSON.stringify(next) === JSON.stringify(standing)) return;
    standing = next;
    deps.publish({ ...standing });
  }

  /** A lock ends at its time even if WhatsApp says nothing more. */
  function expireAt(until: number | null): void {
    if (expiry) clearTimeout(expiry);
    expiry = null;
    if (until === null) return;
    expiry = setTimeout(() => set({ reachout_timelock: null }), Math.max(0, until * 1000 - now()));
    expiry.unref();
  }

  function onTimelock(lock: ReachoutTimelockState): void {
    const timelock = timelockFromBaileys(lock, now());
    expireAt(timelock?.until ?? null);
    set({ reachout_timelock: timelock });
  }

  return {
    current: () => ({ ...standing }),
    onTimelock,
    onCapping: (info) => set({ message_capping: cappingFromBaileys(info) }),
    refresh(s, withCap) {
      // fetchAccountReachoutTimelock emits connection.update with the answer itself.
      s.fetchAccountReachoutTimelock().catch((error: unknown) =>
        deps.logger.debug({ err: error }, 'WhatsApp did not say whether the account is time-locked'),
      );
      if (!withCap) return;
      s.fetchNewChatMessageCap()
        .then((info) => set({ message_capping: cappingFromBaileys(info as NewChatMessageCapInfo) }))
        .catch((error: unknown) => deps.logger.debug({ err: error }, 'WhatsApp did not say the new-chat cap'));
    },
    reset() {
      expireAt(null);
      set({ reachout_timelock: null, message_capping: null });
    },
    stop: () => expireAt(null),
  };
}
