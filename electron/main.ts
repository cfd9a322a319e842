import { fileURLToPath } from 'node:url';
import { app } from 'electron';
import { defaultDataDir } from '../server/config.ts';
import { makeOwnerOnlyFolder } from '../server/data-folder.ts';
import { parseLaunchOptions } from './launch-options.ts';
import { setupLifecycle } from './lifecycle.ts';

// Files beside this bundle (dist/electron/), inside app.asar once packaged.
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

const launch = parseLaunchOptions(process.argv.slice(1));
const dataDir = launch.dataDir ?? defaultDataDir();
app.setName('WaGate');
// Electron's own files and WaGate's share the one folder that server/config.ts names for `wagate serve` too.
// setPath throws for a folder that does not exist yet, as on the first run.
makeOwnerOnlyFolder(dataDir);
app.setPath('userData', dataDir);

if (!app.requestSingleInstanceLock()) {
  // Another WaGate runs with this data dir: it gets the focus (its 'second-instance' event), this one leaves.
  app.quit();
} else {
  setupLifecycle({
    launch,
    dataDir,
    files: {
      preload: here('./preload.cjs'),
      icon: here('./icon.png'),
      trayIcons: here('./tray/'),
      dashboardDir: here('../renderer/'),
      coreProcess: here('./core-process.js'),
    },
  });
}
