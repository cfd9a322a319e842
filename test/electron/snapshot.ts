import type { SessionSnapshot, SessionState } from '../../server/contract/session.ts';

/** A session snapshot as the core emits it, with only what a test cares about filled in. */
export function snapshot(state: SessionState, extra: Partial<SessionSnapshot> = {}): SessionSnapshot {
  return {
    state,
    qr: null,
    qr_expires_at: null,
    account: null,
    last_error: null,
    since: 0,
    reachout_timelock: null,
    message_capping: null,
    reconnects_today: 0,
    last_reconnect: null,
    ...extra,
  };
}
