import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFile, listPackage } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { buildElectron } from '../../electron/build.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ON = 49;
const OFF = 48;

/**
 * A stand-in for Electron's Linux zip, so nothing is downloaded: an `electron` file that carries the fuse wire
 * where the real binary has it (version 1, 8 fuses, Electron's defaults), which lets the fuse settings be checked.
 */
function fakeElectronDist(dir: string): void {
  mkdirSync(join(dir, 'resources'), { recursive: true });
  mkdirSync(join(dir, 'locales'), { recursive: true });
  writeFileSync(join(dir, 'locales', 'en-US.pak'), '');
  writeFileSync(join(dir, 'electron'), `#!/bin/sh\necho stand-in\n# ${FUSE_SENTINEL}\x01\x0810110001\n`);
  chmodSync(join(dir, 'electron'), 0o755);
  writeFileSync(join(dir, 'LICENSE'), 'MIT');
}

function run(command: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Bare package names that a bundle imports: each must come with the app. */
function importedPackages(bundle: string): Set<string> {
  const names = new Set<string>();
  for (const match of bundle.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"'./][^"']*)["']/g)) {
    const spec = match[1]!;
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
    if (!spec.startsWith('node:') && !builtinModules.includes(name) && name !== 'electron') names.add(name);
  }
  return names;
}

test(
  'the packaged Linux app holds every runtime file, the production packages, hardened fuses, and no source',
  { timeout: 300_000 },
  async () => {
    const work = mkdtempSync(join(tmpdir(), 'wagate-package-'));
    try {
      await buildElectron(join(root, 'dist/electron'));
      fakeElectronDist(join(work, 'electron-dist'));
      // The project's own configuration, with only the Electron zip and the output folder pointed elsewhere.
      const config = join(work, 'electron-builder.config.cjs');
      writeFileSync(
        config,
        `const base = require(${JSON.stringify(join(root, 'electron-builder.config.cjs'))});\n` +
          `module.exports = { ...base, electronDist: ${JSON.stringify(join(work, 'electron-dist'))}, ` +
          `directories: { ...base.directories, output: ${JSON.stringify(join(work, 'out'))} } };\n`,
      );
      const cli = require.resolve('electron-builder/cli.js');
      const args = [cli, '--linux', 'dir', '--publish', 'never', '--projectDir', root, '--config', config];
      const { code, output } = await run(process.execPath, args, 240_000);
      assert.equal(code, 0, `electron-builder failed:\n${output}`);

      const unpacked = join(work, 'out', 'linux-unpacked');
      const asar = join(unpacked, 'resources', 'app.asar');
      const files = listPackage(asar, { isPack: false }).map((file) => file.replaceAll('\\', '/'));
      const has = (file: string) => files.includes(file);

      for (const file of [
        '/package.json',
        '/dist/electron/main.js',
        '/dist/electron/core-process.js',
        '/dist/electron/preload.cjs',
        '/dist/electron/icon.png',
      ]) {
        assert.ok(has(file), `${file} is missing from app.asar`);
      }
      for (const icon of ['linked', 'pairing', 'disconnected', 'error']) {
        for (const suffix of ['', '@2x', 'Template', 'Template@2x'])
          assert.ok(has(`/dist/electron/tray/${icon}${suffix}.png`), `tray image ${icon}${suffix}`);
      }
      if (existsSync(join(root, 'dist/renderer/index.html')))
        assert.ok(has('/dist/renderer/index.html'), 'the dashboard is missing');

      const manifest = JSON.parse(extractFile(asar, 'package.json').toString()) as { main?: string; type?: string };
      assert.equal(manifest.main, 'dist/electron/main.js');
      assert.equal(manifest.type, 'module', 'main.js is an ES module');

      const bundles = Object.fromEntries(
        ['main.js', 'core-process.js'].map((file) => [
          file,
          importedPackages(readFileSync(join(root, 'dist/electron', file), 'utf8')),
        ]),
      ) as Record<'main.js' | 'core-process.js', Set<string>>;
      const core = bundles['core-process.js'];
      assert.ok(core.has('@whiskeysockets/baileys') && core.has('express'), `imports seen: ${[...core].join(', ')}`);
      // The main process draws the tray and the window; the core (WhatsApp, HTTP, SQLite) runs in its utility process.
      for (const name of ['@whiskeysockets/baileys', 'express'])
        assert.ok(!bundles['main.js'].has(name), `main.js imports ${name}`);
      for (const [file, packages] of Object.entries(bundles)) {
        for (const name of packages)
          assert.ok(has(`/node_modules/${name}/package.json`), `${file} imports ${name}, which is not in app.asar`);
      }
      for (const name of [
        'electron',
        'electron-builder',
        'typescript',
        'esbuild',
        'vite',
        '@playwright/test',
        'react',
      ]) {
        assert.ok(!has(`/node_modules/${name}/package.json`), `dev dependency ${name} was packaged`);
      }

      // Image facts load sharp, whose addon dlopens libvips beside it: both must be real files, outside the archive.
      const outside = join(unpacked, 'resources', 'app.asar.unpacked', 'node_modules', '@img');
      const addon = `sharp-${process.platform}-${process.arch}`;
      const filesIn = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
      assert.ok(
        filesIn(join(outside, addon, 'lib')).some((file) => file.endsWith('.node')),
        `${addon}'s addon is not unpacked`,
      );
      assert.ok(
        filesIn(join(outside, `sharp-libvips-${process.platform}-${process.arch}`, 'lib')).some((file) =>
          file.startsWith('libvips-cpp.'),
        ),
        'libvips is not unpacked',
      );

      const ownFiles = files.filter((file) => !file.startsWith('/node_modules/'));
      const source = ownFiles.filter(
        (file) => /^\/(test|server|electron|renderer|bench|build|bin)(\/|$)/.test(file) || /\.(ts|tsx|map)$/.test(file),
      );
      assert.deepEqual(source, [], 'source, test or build files were packaged');
      assert.ok(!files.some((file) => /\/\.git\/|\/\.ci\//.test(file)));

      assert.ok(existsSync(join(unpacked, 'wagate')), 'the Linux executable is named wagate');
      const fuses = await getCurrentFuseWire(join(unpacked, 'wagate'));
      assert.equal(fuses[FuseV1Options.RunAsNode], OFF, 'ELECTRON_RUN_AS_NODE must be ignored');
      assert.equal(fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable], OFF);
      assert.equal(fuses[FuseV1Options.EnableNodeCliInspectArguments], OFF);
      assert.equal(fuses[FuseV1Options.OnlyLoadAppFromAsar], ON);
      assert.equal(fuses[FuseV1Options.EnableEmbeddedAsarIntegrityValidation], ON);
      assert.equal(fuses[FuseV1Options.EnableCookieEncryption], ON);
      assert.equal(fuses[FuseV1Options.GrantFileProtocolExtraPrivileges], OFF);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
);
