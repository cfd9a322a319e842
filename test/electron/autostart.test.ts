import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoginItemSettings, Settings } from 'electron';
import {
  HIDDEN_FLAG,
  autostartFilePath,
  createAutostart,
  desktopEntry,
  launchCommand,
  wasStartedAtLogin,
} from '../../electron/autostart.ts';

/** The login-item half of Electron's app, keeping what was set the way the OS would. */
function loginItems(wasOpenedAtLogin = false) {
  const set: Settings[] = [];
  let openAtLogin = false;
  return {
    set,
    app: {
      getLoginItemSettings: () => ({ openAtLogin, wasOpenedAtLogin }) as LoginItemSettings,
      setLoginItemSettings: (settings: Settings) => {
        set.push(settings);
        openAtLogin = settings.openAtLogin ?? false;
      },
    },
  };
}

test('the launch command is the AppImage file when there is one, the binary otherwise, plus the app folder in development', () => {
  assert.deepEqual(launchCommand('/tmp/.mount_WaGate/wagate', { APPIMAGE: '/home/ana/Apps/WaGate.AppImage' }, null), {
    command: '/home/ana/Apps/WaGate.AppImage',
    args: [],
  });
  assert.deepEqual(launchCommand('/opt/WaGate/wagate', {}, null), { command: '/opt/WaGate/wagate', args: [] });
  assert.deepEqual(launchCommand('/repo/node_modules/electron/dist/electron', {}, '/repo'), {
    command: '/repo/node_modules/electron/dist/electron',
    args: ['/repo'],
  });
});

test('the desktop entry starts the app hidden, with paths quoted as the XDG spec wants', () => {
  const entry = desktopEntry(
    'WaGate',
    { command: '/home/ana/My Apps/WaGate.AppImage', args: [] },
    'Local WhatsApp gateway',
  );
  const lines = entry.split('\n');
  assert.equal(lines[0], '[Desktop Entry]');
  assert.ok(lines.includes('Type=Application'));
  assert.ok(lines.includes('Name=WaGate'));
  assert.ok(lines.includes('X-GNOME-Autostart-enabled=true'));
  assert.ok(lines.includes(`Exec="/home/ana/My Apps/WaGate.AppImage" ${HIDDEN_FLAG}`), entry);
  const odd = desktopEntry('WaGate', { command: '/opt/a"b$c`d\\e/100%/wagate', args: [] }, 'x');
  assert.ok(odd.includes('Exec="/opt/a\\"b\\$c\\`d\\\\e/100%%/wagate" --hidden'), odd);
  assert.ok(
    desktopEntry('WaGate', { command: '/opt/WaGate/wagate', args: [] }, 'x').includes(
      'Exec=/opt/WaGate/wagate --hidden',
    ),
  );
});

test('the autostart file lives in $XDG_CONFIG_HOME/autostart, or ~/.config/autostart', () => {
  assert.equal(autostartFilePath({ XDG_CONFIG_HOME: '/xdg' }, '/home/ana'), '/xdg/autostart/wagate.desktop');
  assert.equal(autostartFilePath({}, '/home/ana'), '/home/ana/.config/autostart/wagate.desktop');
  assert.equal(
    autostartFilePath({ XDG_CONFIG_HOME: 'relative' }, '/home/ana'),
    '/home/ana/.config/autostart/wagate.desktop',
    'the spec ignores relative paths',
  );
});

test('on Linux the checkbox writes and removes the .desktop file, and reads a hand-disabled one as off', () => {
  const home = mkdtempSync(join(tmpdir(), 'wagate-autostart-'));
  try {
    const { app } = loginItems();
    const autostart = createAutostart({
      app,
      platform: 'linux',
      env: {},
      home,
      launch: { command: '/opt/WaGate/wagate', args: [] },
    })!;
    const file = join(home, '.config', 'autostart', 'wagate.desktop');
    assert.equal(autostart.isEnabled(), false);
    autostart.setEnabled(true);
    assert.equal(autostart.isEnabled(), true);
    assert.match(readFileSync(file, 'utf8'), /^Exec=\/opt\/WaGate\/wagate --hidden$/m);
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false'),
    );
    assert.equal(autostart.isEnabled(), false, 'switched off in the desktop settings');
    autostart.setEnabled(false);
    assert.equal(existsSync(file), false);
    autostart.setEnabled(false);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('on Windows and macOS the OS login item is used; Windows gets the path and the hidden flag', () => {
  const windows = loginItems();
  const launch = { command: 'C:\\Users\\ana\\AppData\\Local\\Programs\\WaGate\\WaGate.exe', args: [] };
  const onWindows = createAutostart({ app: windows.app, platform: 'win32', env: {}, home: 'C:\\Users\\ana', launch })!;
  onWindows.setEnabled(true);
  assert.deepEqual(windows.set, [{ path: launch.command, args: [HIDDEN_FLAG], openAtLogin: true }]);
  assert.equal(onWindows.isEnabled(), true);

  const mac = loginItems();
  const onMac = createAutostart({
    app: mac.app,
    platform: 'darwin',
    env: {},
    home: '/Users/ana',
    launch: { command: '/Applications/WaGate.app/Contents/MacOS/WaGate', args: [] },
  })!;
  onMac.setEnabled(true);
  onMac.setEnabled(false);
  assert.deepEqual(mac.set, [{ openAtLogin: true }, { openAtLogin: false }]);
  assert.equal(onMac.isEnabled(), false);

  assert.equal(createAutostart({ app: mac.app, platform: 'freebsd', env: {}, home: '/', launch }), null);
});

test('a start from the login item is told by the hidden flag, or on macOS by the OS', () => {
  assert.equal(wasStartedAtLogin(['/opt/WaGate/wagate', HIDDEN_FLAG], loginItems().app, 'linux'), true);
  assert.equal(wasStartedAtLogin(['/opt/WaGate/wagate'], loginItems().app, 'linux'), false);
  assert.equal(wasStartedAtLogin(['/Applications/WaGate.app'], loginItems(true).app, 'darwin'), true);
  assert.equal(wasStartedAtLogin(['C:\\WaGate.exe'], loginItems(true).app, 'win32'), false);
});
