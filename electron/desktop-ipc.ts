import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { GET_INFO_CHANNEL, type DesktopInfo } from '../server/contract/desktop.ts';
import { isAppUrl } from './navigation-policy.ts';

/** Only the dashboard's own top frame may call the shell; a page that got in some other way gets an error. */
function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, appOrigin: string): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAppUrl(frame.url, appOrigin);
}

export function registerDesktopIpc(ipcMain: Pick<IpcMain, 'handle'>, appOrigin: string, info: () => DesktopInfo): void {
  ipcMain.handle(GET_INFO_CHANNEL, (event, ...args: unknown[]) => {
    if (!isTrustedSender(event, appOrigin)) throw new Error('WaGate: refused, not the dashboard');
    if (args.length > 0) throw new Error('WaGate: getInfo takes no arguments');
    return info();
  });
}
