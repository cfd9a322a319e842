import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Bundles the shell for Electron: main (the main process: tray, window, keyring), core-process (the core, with
 * server/ inside, run in a utility process), both ESM with npm packages left to node_modules, and the preload (one
 * CommonJS file, as a sandboxed preload must be); then copies the icons they load at run time.
 * `node electron/build.ts [outDir]`; outDir defaults to dist/electron.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = process.argv[2] ?? `${root}dist/electron`;

export async function buildElectron(out: string): Promise<void> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node22',
    logLevel: 'warning',
    legalComments: 'none',
  } as const;
  await Promise.all([
    ...['main', 'core-process'].map((entry) =>
      build({
        ...common,
        entryPoints: [`${root}electron/${entry}.ts`],
        outfile: `${out}/${entry}.js`,
        format: 'esm',
        packages: 'external',
      }),
    ),
    build({
      ...common,
      entryPoints: [`${root}electron/preload.ts`],
      outfile: `${out}/preload.cjs`,
      format: 'cjs',
      external: ['electron'],
    }),
  ]);
  cpSync(`${root}build/tray`, `${out}/tray`, { recursive: true });
  cpSync(`${root}build/icons/256x256.png`, `${out}/icon.png`);
}

if (import.meta.main) await buildElectron(outDir);
