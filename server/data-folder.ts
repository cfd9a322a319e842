import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Logger } from './logger.ts';

/** The data folder holds the WhatsApp link: only its owner may read anything in it. */
const FOLDER_MODE = 0o700;
export const FILE_MODE = 0o600;

/** Creates `dir` (and missing parents) owner-only, whatever the umask; a folder that exists is left as it is. */
export function makeOwnerOnlyFolder(dir: string): void {
  const created = mkdirSync(dir, { recursive: true, mode: FOLDER_MODE });
  if (created !== undefined && process.platform !== 'win32') chmodSync(dir, FOLDER_MODE);
}

/**
 * Creates `file` empty and owner-only if it is not there. SQLite gives a database's -wal and -shm the mode of the
 * database itself, so creating the database this way covers them too.
 */
export function touchOwnerOnly(file: string): void {
  closeSync(openSync(file, 'a', FILE_MODE));
  if (process.platform !== 'win32') chmodSync(file, FILE_MODE);
}

/** Tightens every folder under `dir` to 0700 and every file to 0600; answers how many it changed. Links are left. */
function tightenTree(dir: string): number {
  let changed = 0;
  const visit = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    const want = stat.isDirectory() ? FOLDER_MODE : FILE_MODE;
    if ((stat.mode & 0o777) !== want) {
      chmodSync(path, want);
      changed++;
    }
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
  return changed;
}

/** icacls: inherited entries removed, full control for this user alone, passed down to every file and folder in it. */
export function windowsAclArgs(dir: string, user: string): string[] {
  return [dir, '/inheritance:r', '/grant:r', `${user}:(OI)(CI)F`];
}

function windowsUser(env: NodeJS.ProcessEnv): string {
  const name = env.USERNAME ?? userInfo().username;
  return env.USERDOMAIN ? `${env.USERDOMAIN}\\${name}` : name;
}

export interface LockDownOptions {
  logger: Logger;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** Runs icacls on Windows; a test passes its own. */
  runIcacls?: (args: string[]) => void;
}

/**
 * Opens the data folder owner-only: made 0700 if new; an existing one that others could read is tightened (every
 * folder 0700, every file 0600) and the log says so, once. On Windows the folder's ACL is set to this user alone.
 */
export function lockDownDataFolder(dir: string, options: LockDownOptions): void {
  const { logger, platform = process.platform, env = process.env } = options;
  makeOwnerOnlyFolder(dir);
  if (platform === 'win32') {
    const run = options.runIcacls ?? ((args) => void execFileSync('icacls', args, { stdio: 'ignore' }));
    run(windowsAclArgs(dir, windowsUser(env)));
    return;
  }
  const changed = tightenTree(dir);
  if (changed > 0)
    logger.warn(
      { dataDir: dir, changed },
      'the data folder was open to other users: it and everything in it are now readable by you alone (0700/0600)',
    );
}
