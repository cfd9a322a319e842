import { open } from 'node:fs/promises';
import type { FileSync } from '../../server/store/group-commit.ts';

/** A real fdatasync of `path`, through a handle of its own. */
async function realSync(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

export interface HeldDisk {
  /** For `fileSync` (the core) or `sync` (createGroupCommit). */
  sync: FileSync;
  /** From now on an fsync, once called, waits for `release()` before it runs. */
  hold(): void;
  /** Lets every waiting fsync run, and the later ones at once. */
  release(): void;
  /** Makes every waiting fsync fail with `error`, and lets the later ones run. */
  fail(error: Error): void;
  /** The files fsynced or waiting to be, in the order the fsyncs were called. */
  readonly calls: readonly string[];
  /** How many fsyncs are waiting on the hold now. */
  readonly waiting: number;
}

/** The disk as the store sees it, with fsyncs a test can hold to see what waits for them. */
export function heldDisk(): HeldDisk {
  const calls: string[] = [];
  let gate: { promise: Promise<void>; open(): void; fail(error: Error): void } | null = null;
  let waiting = 0;
  return {
    async sync(path) {
      calls.push(path);
      const held = gate;
      if (held) {
        waiting++;
        try {
          await held.promise;
        } finally {
          waiting--;
        }
      }
      await realSync(path);
    },
    hold() {
      let open!: () => void;
      let fail!: (error: Error) => void;
      const promise = new Promise<void>((resolve, reject) => ((open = resolve), (fail = reject)));
      promise.catch(() => undefined);
      gate = { promise, open, fail };
    },
    release() {
      gate?.open();
      gate = null;
    },
    fail(error) {
      gate?.fail(error);
      gate = null;
    },
    calls,
    get waiting() {
      return waiting;
    },
  };
}
