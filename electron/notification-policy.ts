import type { SessionSnapshot } from '../server/contract/session.ts';

export interface DesktopNotice {
  kind: 'dropped' | 'logged_out' | 'replaced' | 'back';
  title: string;
  body: string;
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface NotificationPolicyOptions {
  notify(notice: DesktopNotice): void;
  /** A drop shorter than this (a normal reconnect) is not worth a notification. */
  dropAfterMs?: number;
  timers?: Timers;
}

export interface NotificationPolicy {
  update(snapshot: SessionSnapshot): void;
  /** Before the app stops the core on purpose: no "disconnected" for a quit. */
  dispose(): void;
}

const DEFAULT_DROP_AFTER_MS = 30_000;

const DROPPING = new Set<SessionSnapshot['state']>(['connecting', 'reconnecting', 'starting']);

/**
 * Turns the session's states into the few notifications a person wants: a drop that lasts, a log-out from the phone,
 * a session taken over elsewhere, and the session coming back after one of those. Nothing before the first link.
 */
export function createNotificationPolicy({
  notify,
  dropAfterMs = DEFAULT_DROP_AFTER_MS,
  timers = globalThis,
}: NotificationPolicyOptions): NotificationPolicy {
  let wasLinked = false;
  let announced: DesktopNotice['kind'] | null = null;
  let dropTimer: unknown = null;
  let lastError: string | null = null;

  const cancelTimer = (): void => {
    if (dropTimer !== null) timers.clearTimeout(dropTimer);
    dropTimer = null;
  };
  const announce = (notice: DesktopNotice): void => {
    cancelTimer();
    if (announced === notice.kind) return;
    announced = notice.kind;
    notify(notice);
  };

  return {
    update(snapshot) {
      lastError = snapshot.last_error;
      if (snapshot.state === 'connected') {
        cancelTimer();
        if (announced)
          notify({ kind: 'back', title: 'WhatsApp is back', body: 'WaGate is connected again and sends messages.' });
        wasLinked = true;
        announced = null;
        return;
      }
      if (!wasLinked) return;
      if (snapshot.state === 'logged_out' || snapshot.state === 'qr') {
        announce({
          kind: 'logged_out',
          title: 'WaGate was logged out',
          body: 'It was unlinked from the phone. Open WaGate and scan the QR code to link it again.',
        });
      } else if (snapshot.state === 'replaced') {
        announce({
          kind: 'replaced',
          title: 'WaGate was disconnected',
          body: 'This WhatsApp session was opened somewhere else.',
        });
      } else if (DROPPING.has(snapshot.state) && announced === null && dropTimer === null) {
        dropTimer = timers.setTimeout(() => {
          dropTimer = null;
          const seconds = Math.round(dropAfterMs / 1000);
          const why = lastError ? ` (${lastError})` : '';
          announce({
            kind: 'dropped',
            title: 'WhatsApp disconnected',
            body: `WaGate has been offline for ${seconds} s${why}; it keeps trying to reconnect.`,
          });
        }, dropAfterMs);
      }
    },
    dispose() {
      cancelTimer();
      wasLinked = false;
      announced = null;
    },
  };
}
