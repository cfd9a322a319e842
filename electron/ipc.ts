import { ipcMain } from 'electron';
import type { DesktopInfo } from '../server/contract/desktop.ts';
import { registerDesktopIpc } from './desktop-ipc.ts';

/** The dashboard's one question to the shell, answered once the core runs: what it says does not change after. */
export function setupIpc(appOrigin: string, info: DesktopInfo): void {
  registerDesktopIpc(ipcMain, appOrigin, () => info);
}
