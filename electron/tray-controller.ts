import { join } from 'node:path';
import { Menu, Tray, nativeImage } from 'electron';
import { trayIconFile, trayLook, type ShellState, type TrayIcon } from './tray-state.ts';
import { trayMenuTemplate, type TrayMenuActions } from './tray-menu.ts';

export interface TrayController {
  render(state: ShellState): void;
  setApiUrl(url: string | null): void;
  setNotice(notice: string | null): void;
  setPacing(line: string | null): void;
  destroy(): void;
}

export interface TrayControllerDeps {
  iconDir: string;
  platform: NodeJS.Platform;
  actions: TrayMenuActions;
  /** Reads the login item each time the menu is built, so a change made in the OS settings shows. */
  startAtLogin(): boolean | null;
}

/** The one Tray: the menu is rebuilt on every change, which Linux needs to show a new label at all. */
export function createTrayController({ iconDir, platform, actions, startAtLogin }: TrayControllerDeps): TrayController {
  const image = (icon: TrayIcon) => nativeImage.createFromPath(join(iconDir, trayIconFile(icon, platform)));
  let state: ShellState = { kind: 'starting' };
  let apiUrl: string | null = null;
  let notice: string | null = null;
  let pacing: string | null = null;
  const tray = new Tray(image('disconnected'));
  // Windows users expect a left click to open the window; macOS and Linux show the menu.
  if (platform === 'win32') tray.on('click', () => actions.open());

  function update(): void {
    const look = trayLook(state);
    tray.setImage(image(look.icon));
    tray.setToolTip(notice ? `${look.tooltip}\n${notice}`.slice(0, 127) : look.tooltip);
    tray.setContextMenu(
      Menu.buildFromTemplate(trayMenuTemplate({ look, notice, pacing, apiUrl, startAtLogin: startAtLogin(), actions })),
    );
  }

  update();
  return {
    render(next) {
      state = next;
      update();
    },
    setApiUrl(url) {
      apiUrl = url;
      update();
    },
    setNotice(text) {
      notice = text;
      update();
    },
    setPacing(line) {
      if (line === pacing) return;
      pacing = line;
      update();
    },
    destroy: () => tray.destroy(),
  };
}
