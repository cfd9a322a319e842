import { after, type SuiteContext } from 'node:test';

/** Anything that runs a cleanup when it ends: a test's `t`, the `t` of a top-level `before`, or `suiteScope()`. */
interface Cleanups {
  after(fn: () => unknown): void;
}

/**
 * Where a fixture registers its cleanup: a test's `t`, or the `t` of a top-level `before` (which runs its `t.after`
 * after the file's last test). Inside a `describe`, `before` gets a `SuiteContext` without `after`: use
 * `suiteScope()`. Cleanups run in the order they were registered (as node's `t.after` does), so a fixture that owns a
 * folder and a process stops the process and removes the folder in one cleanup.
 */
export type Scope = Cleanups | SuiteContext;

export function atEnd(scope: Scope, fn: () => unknown): void {
  if (!('after' in scope)) throw new Error("a describe block's before() has no t.after: pass suiteScope() instead");
  scope.after(fn);
}

/** A scope for the fixtures of one describe block: call it in the block's body; cleans up after its last test. */
export function suiteScope(): Cleanups {
  const cleanups: (() => unknown)[] = [];
  after(async () => {
    for (const fn of cleanups) await fn();
  });
  return { after: (fn) => void cleanups.push(fn) };
}
