import { node } from './frames.ts';
import { unlink } from './linked-devices.ts';
import type { SandboxState } from './sandbox-state.ts';

export type FaultKind = 'drop' | 'refuse' | 'replaced' | 'unlink';

export interface Faults {
  inject(input: { kind: FaultKind; duration_ms?: number }): void;
  /** True while a `refuse` fault keeps new connections out. */
  readonly refusing: boolean;
}

/** Faults on demand: dropped sockets, refused connections, a replaced session, an unlinked phone. */
export function createFaults(state: SandboxState): Faults {
  let refusedUntil = 0;
  return {
    get refusing() {
      return Date.now() < refusedUntil;
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
      }
    },
  };
}
