import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { App } from 'electron';

/** Started at login, the app goes straight to the tray (the window still opens when pairing is needed). */
export const HIDDEN_FLAG = '--hidden';

export interface LaunchCommand {
  command: string;
  args: string[];
}

/**
 * How to start this app again from outside: the AppImage file itself rather than its temporary mount, and in
 * development the Electron binary plus the app folder (`electron .`).
 */
export function launchCommand(execPath: string, env: NodeJS.ProcessEnv, devAppPath: string | null): LaunchCommand {
  if (env.APPIMAGE) return { command: env.APPIMAGE, args: [] };
  return { command: execPath, args: devAppPath ? [devAppPath] : [] };
}

/** One argument of a desktop entry's Exec key, quoted as the XDG Desktop Entry spec asks. */
function execArgument(value: string): string {
  const escaped = value.replace(/%/g, '%%');
  if (!/[\s"'\\`$<>~|&;*?#()]/.test(escaped)) return escaped;
  return `"${escaped.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function desktopEntry(name: string, launch: LaunchCommand, comment: string): string {
  const exec = [launch.command, ...launch.args, HIDDEN_FLAG].map(execArgument).join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${name}`,
    `Comment=${comment}`,
    `Exec=${exec}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** `$XDG_CONFIG_HOME/autostart/wagate.desktop`, the folder every XDG desktop reads at login. */
export function autostartFilePath(env: NodeJS.ProcessEnv, home: string): string {
  const configHome =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(configHome, 'autostart', 'wagate.desktop');
}

export interface Autostart {
  isEnabled(): boolean;
  setEnabled(enabled: boolean): void;
}

/** Linux: the .desktop file is the switch; it counts as on while it exists and has not been disabled by hand. */
function createXdgAutostart(file: string, entry: string): Autostart {
  return {
    isEnabled() {
      if (!existsSync(file)) return false;
      const text = readFileSync(file, 'utf8');
      return !/^Hidden\s*=\s*true\s*$/m.test(text) && !/^X-GNOME-Autostart-enabled\s*=\s*false\s*$/m.test(text);
    },
    setEnabled(enabled) {
      if (!enabled) return rmSync(file, { force: true });
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, entry);
    },
  };
}

/** macOS and Windows: the OS keeps the login item; Windows gets the hidden flag, macOS tells us through wasOpenedAtLogin. */
function createLoginItemAutostart(
  app: Pick<App, 'getLoginItemSettings' | 'setLoginItemSettings'>,
  platform: NodeJS.Platform,
  launch: LaunchCommand,
): Autostart {
  const options = platform === 'win32' ? { path: launch.command, args: [...launch.args, HIDDEN_FLAG] } : {};
  return {
    isEnabled: () => app.getLoginItemSettings(options).openAtLogin,
    setEnabled: (enabled) => app.setLoginItemSettings({ ...options, openAtLogin: enabled }),
  };
}

export interface AutostartEnvironment {
  app: Pick<App, 'getLoginItemSettings' | 'setLoginItemSettings'>;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  home: string;
  launch: LaunchCommand;
}

/** null where there is no way to start at login (other Unixes). */
export function createAutostart({ app, platform, env, home, launch }: AutostartEnvironment): Autostart | null {
  if (platform === 'darwin' || platform === 'win32') return createLoginItemAutostart(app, platform, launch);
  if (platform === 'linux') {
    return createXdgAutostart(autostartFilePath(env, home), desktopEntry('WaGate', launch, 'Local WhatsApp gateway'));
  }
  return null;
}

/** Whether this start came from the login item: then the app stays in the tray. */
export function wasStartedAtLogin(
  argv: readonly string[],
  app: Pick<App, 'getLoginItemSettings'>,
  platform: NodeJS.Platform,
): boolean {
  if (argv.includes(HIDDEN_FLAG)) return true;
  return platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true;
}
