import { existsSync, readFileSync } from 'node:fs';
import { serverInfoFile } from '../core.ts';
import type { Config } from '../config.ts';
import { createAdminSessions } from '../store/admin-sessions.ts';
import { fail } from './fail.ts';
import { configFrom, openData, type Flags } from './flags.ts';

export function loginLink(url: string, token: string): string {
  return `${url}/admin/login?token=${token}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running server of this data folder, in the mode asked for first, else in the other one (real or sandbox). */
function runningServer(config: Config): { config: Config; url: string } | null {
  for (const candidate of [config, { ...config, sandbox: !(config.sandbox || config.waUrl), waUrl: null }]) {
    const infoFile = serverInfoFile(candidate);
    if (!existsSync(infoFile)) continue;
    const { url, pid } = JSON.parse(readFileSync(infoFile, 'utf8')) as { url: string; pid: number };
    if (isAlive(pid)) return { config: candidate, url };
  }
  return null;
}

/** `wagate dashboard`: a fresh login link to the running server's dashboard, whichever mode it runs in. */
export function dashboardCommand(flags: Flags): void {
  const server = runningServer(configFrom(flags));
  if (!server)
    fail(
      'WaGate is not running: start it with `npm run serve` (or `wagate serve`), which prints a login link; in the desktop app, open the window from the tray',
    );
  const token = createAdminSessions(openData(server.config)).issueLoginToken();
  console.log(loginLink(server.url, token));
}
