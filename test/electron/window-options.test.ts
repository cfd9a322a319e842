import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mainWindowOptions } from '../../electron/window-options.ts';
import { parseLaunchOptions } from '../../electron/launch-options.ts';

test("the window follows Electron's security checklist", () => {
  const options = mainWindowOptions('/app/dist/electron/preload.cjs', '/app/dist/electron/icon.png');
  const web = options.webPreferences!;
  assert.equal(web.contextIsolation, true);
  assert.equal(web.sandbox, true);
  assert.equal(web.nodeIntegration, false);
  assert.equal(web.nodeIntegrationInWorker, false);
  assert.equal(web.nodeIntegrationInSubFrames, false);
  assert.equal(web.webSecurity, true);
  assert.equal(web.allowRunningInsecureContent, false);
  assert.equal(web.webviewTag, false);
  assert.equal(web.preload, '/app/dist/electron/preload.cjs');
  assert.equal(options.show, false, 'shown when ready, or not at all when started at login');
  assert.equal(options.icon, '/app/dist/electron/icon.png');
  assert.equal('icon' in mainWindowOptions('/p.cjs', undefined), false);
});

test("the app's own flags are read among Chromium's; bad ports are refused", () => {
  assert.deepEqual(
    parseLaunchOptions([
      'dist/electron/main.js',
      '--data-dir',
      '/tmp/w',
      '--port=7010',
      '--sandbox',
      '--inspect=0',
      '--no-sandbox',
    ]),
    {
      dataDir: '/tmp/w',
      port: 7010,
      sandbox: true,
    },
  );
  assert.deepEqual(parseLaunchOptions([]), { dataDir: undefined, port: undefined, sandbox: false });
  assert.throws(() => parseLaunchOptions(['--port', '70000']), /--port must be a number/);
  assert.throws(() => parseLaunchOptions(['--port=abc']), /--port must be a number/);
});
