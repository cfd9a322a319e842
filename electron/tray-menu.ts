import type { MenuItemConstructorOptions } from 'electron';
import type { TrayLook } from './tray-state.ts';

export interface TrayMenuActions {
  open(): void;
  copyApiAddress(): void;
  setStartAtLogin(enabled: boolean): void;
  quit(): void;
}

export interface TrayMenuModel {
  look: TrayLook;
  /** A line about the app itself, such as a moved port; null when there is nothing to say. */
  notice: string | null;
  /** What pacing holds back (tray-state.ts pacingLine); absent or null while it holds nothing. */
  pacing?: string | null;
  /** The API's address, or null while the core is not running. */
  apiUrl: string | null;
  /** null where start at login cannot be set (then the item is shown disabled). */
  startAtLogin: boolean | null;
  actions: TrayMenuActions;
}

/** The tray's context menu; it is the only way in on Linux, where a click on the icon is not reliably reported. */
export function trayMenuTemplate({
  look,
  notice,
  pacing = null,
  apiUrl,
  startAtLogin,
  actions,
}: TrayMenuModel): MenuItemConstructorOptions[] {
  return [
    { id: 'open', label: 'Open WaGate', click: () => actions.open() },
    { id: 'status', label: look.status, enabled: false },
    ...look.warnings.map((warning, i) => ({ id: `warning-${i}`, label: warning, enabled: false })),
    ...(pacing ? [{ id: 'pacing', label: pacing, enabled: false }] : []),
    ...(notice ? [{ id: 'notice', label: notice, enabled: false }] : []),
    { type: 'separator' },
    {
      id: 'copy-api-address',
      label: apiUrl ? `Copy API address (${apiUrl})` : 'Copy API address',
      enabled: apiUrl !== null,
      click: () => actions.copyApiAddress(),
    },
    {
      id: 'start-at-login',
      label: 'Start at login',
      type: 'checkbox',
      checked: startAtLogin === true,
      enabled: startAtLogin !== null,
      click: (item) => actions.setStartAtLogin(item.checked),
    },
    { type: 'separator' },
    { id: 'quit', label: 'Quit WaGate', click: () => actions.quit() },
  ];
}
