import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Electron's program, when `npm install` could download it. Read from electron's path.txt rather than
 * `require('electron')`, which would try to download it right now and fail with a stack trace when offline.
 */
export function electronBinary(root: string = ROOT): string | null {
  const pkg = join(root, 'node_modules/electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const binary = process.env.ELECTRON_OVERRIDE_DIST_PATH
    ? join(process.env.ELECTRON_OVERRIDE_DIST_PATH, relative)
    : join(pkg, 'dist', relative);
  try {
    accessSync(binary, constants.X_OK);
    return binary;
  } catch {
    return null;
  }
}

const MISSING_ELECTRON = [
  "WaGate's desktop app needs Electron's program, which is not installed here",
  '(npm install skipped or could not finish its download).',
  '',
  '  Get it:         node node_modules/electron/install.js   (needs the internet)',
  '  Or run WaGate headless, the same API and dashboard without the tray: npm run serve',
].join('\n');

// `npm start` runs this first, so a missing binary reads as WaGate's words, not Electron's stack trace.
if (import.meta.main && !electronBinary()) {
  console.error(MISSING_ELECTRON);
  process.exit(1);
}
