#!/usr/bin/env node
// The package's command. Node >= 24 runs the TypeScript sources directly (type stripping), so there is no build step;
// an older Node gets one plain sentence instead of a loader error.
import module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(
    `WaGate needs Node.js 24 or newer; this is ${process.version}. In a checkout, run it through npm ` +
      '(npm run serve, npx wagate …), which uses the Node 24 that npm install brought.',
  );
  process.exit(1);
}

/** The user's own cache folder (not the shared temp folder, where another user could plant code cache). */
function cacheDir() {
  const { platform, env } = process;
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'WaGate', 'Cache');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'WaGate');
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'wagate');
}

// Node keeps V8's compiled code (and the stripped TypeScript) between runs: about half of a cold start is compiling
// the modules. NODE_COMPILE_CACHE chooses another folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache(process.env.NODE_COMPILE_CACHE ?? join(cacheDir(), 'compile-cache'));
const { applyHeapPolicy, coreEnvironment, CORE_NODE_FLAGS } = await import('../server/heap-policy.ts');
// glibc reads its malloc settings (arenas, thresholds) and V8 its young generation's size only when a process starts:
// on Linux the command starts itself once more with them (the same process id, ~30 ms), unless it has them already
// (the environment sets the arena limit, the command line carries the flags); flags given to node come after ours,
// so they win.
const hasFlags = CORE_NODE_FLAGS.every((flag) => process.execArgv.includes(flag));
if (process.platform === 'linux' && (process.env.MALLOC_ARENA_MAX === undefined || !hasFlags)) {
  process.execve(
    process.execPath,
    [process.execPath, ...CORE_NODE_FLAGS, ...process.execArgv, ...process.argv.slice(1)],
    coreEnvironment(process.env),
  );
}
applyHeapPolicy();
await (await import('../server/zod-english-only.ts')).loadZodInEnglishOnly();
// Written, the compile cache's entries leave memory: written once zod is in, and again before and after Baileys loads
// (server/core.ts), they never pile up into the main heap's high-water mark, which an idle core keeps (NOTES.md, idle3).
module.flushCompileCache();
await import('../server/cli.ts');
