import { node } from './frames.ts';
import { unlink } from './linked-devices.ts';
import type { SandboxState } from './sandbox-state.ts';
import type { StreamHealth } from './stream-health.ts';
import type { FaultKind, StreamErrorCode } from '../contract/sandbox.ts';

export interface FaultInput {
  kind: FaultKind;
  /** `refuse`: how long new connections are refused (default 5000). */
  duration_ms?: number;
  /** `hold_acks`: how many of the next messages to contacts have their ack held (default 1). */
  count?: number;
  /** `hold_acks`: send each held ack this late; absent, it is never sent (as when it is lost with the connection). */
  delay_ms?: number;
  /** `stream_error`: which one (default 500). */
  code?: StreamErrorCode;
}

/** What happens to the server ack of one message: sent `delayMs` late, or withheld when `delayMs` is null. */
export interface AckHold {
  delayMs: number | null;
}

export interface Faults {
  inject(input: FaultInput): void;
  /** True while a `refuse` fault keeps new connections out. */
  readonly refusing: boolean;
  /** For a message a client just sent to a contact: how a `hold_acks` fault holds its ack; null, sent at once. */
  takeAckHold(): AckHold | null;
}

/**
 * Faults on demand: dropped sockets, refused connections, a replaced session, an unlinked phone, held acks, a silent
 * (half-open) server, unanswered pings, stream errors.
 */
export function createFaults(state: SandboxState, stream: StreamHealth): Faults {
  let refusedUntil = 0;
  let heldAcks = 0;
  let ackDelayMs: number | null = null;
  return {
    get refusing() {
      return Date.now() < refusedUntil;
    },
    takeAckHold() {
      if (heldAcks === 0) return null;
      heldAcks--;
      return { delayMs: ackDelayMs };
    },
    inject(input) {
      const live = [...state.connections];
      switch (input.kind) {
        case 'drop':
          for (const c of live) c.terminate();
          return;
        case 'refuse':
          refusedUntil = Date.now() + (input.duration_ms ?? 5000);
          for (const c of live) c.terminate();
          return;
        case 'replaced':
          for (const c of live)
            if (c.loggedIn) c.end(node('stream:error', {}, [node('conflict', { type: 'replaced' })]));
          return;
        case 'unlink':
          void unlink(state);
          return;
        case 'hold_acks':
          heldAcks = input.count ?? 1;
          ackDelayMs = input.delay_ms ?? null;
          return;
        case 'silent':
          return stream.silence();
        case 'ignore_pings':
          return stream.ignorePings();
        case 'stream_error':
          return stream.streamError(input.code ?? '500');
      }
    },
  };
}
