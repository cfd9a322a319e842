import { existsSync, readFileSync } from 'node:fs';
import { serverInfoFile } from '../core.ts';
import { createAdminSessions } from '../store/admin-sessions.ts';
import { fail } from './fail.ts';
import { configFrom, openData, type Flags } from './flags.ts';

export function loginLink(url: string, token: string): string {
  return `${url}/admin/login?token=${token}`;
}

/** `wagate dashboard`: a fresh login link to the running server's dashboard. */
export function dashboardCommand(flags: Flags): void {
  const config = configFrom(flags);
  const infoFile = serverInfoFile(config);
  if (!existsSync(infoFile)) fail('WaGate is not running: start it with `wagate serve`, which prints a login link too');
  const { url } = JSON.parse(readFileSync(infoFile, 'utf8')) as { url: string };
  const token = createAdminSessions(openData(config)).issueLoginToken();
  console.log(loginLink(url, token));
}
