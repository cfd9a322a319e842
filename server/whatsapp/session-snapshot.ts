import type { SessionSnapshot, SessionState } from '../contract/session.ts';
import { nowSeconds } from '../contract/time.ts';
import type { ReconnectLog } from '../store/reconnect-log.ts';

/** How often the connection was lost and came back since local midnight, and the last time. */
export function reconnectCounts(
  reconnects: ReconnectLog,
): Pick<SessionSnapshot, 'reconnects_today' | 'last_reconnect'> {
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  return { reconnects_today: reconnects.countSince(midnight.getTime()), last_reconnect: reconnects.last() };
}

/** A session that has not connected yet: no QR, no account, no error, nothing WhatsApp said about the account. */
export function firstSnapshot(state: SessionState, reconnects: ReconnectLog): SessionSnapshot {
  return {
    state,
    qr: null,
    qr_expires_at: null,
    account: null,
    last_error: null,
    since: nowSeconds(),
    reachout_timelock: null,
    message_capping: null,
    ...reconnectCounts(reconnects),
  };
}
