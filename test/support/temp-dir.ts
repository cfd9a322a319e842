import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atEnd, type Scope } from './scope.ts';

/** A fresh folder under the system's temp dir, removed with everything in it when `scope` ends. */
export function tempDir(scope: Scope, prefix = 'wagate-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  atEnd(scope, () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
