import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scope } from './scope.ts';
import { tempDir } from './temp-dir.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/wagate.js');
/** Node 24 from the `node` devDependency: the machine's own node may be too old to run the TypeScript sources. */
const NODE = existsSync(join(ROOT, 'node_modules/.bin/node')) ? join(ROOT, 'node_modules/.bin/node') : process.execPath;
const ENV = {
  ...process.env,
  PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
  WAGATE_LOG: 'warn',
  // A developer's own keyring is left alone; test/store/os-keyring.test.ts runs against a throwaway one.
  WAGATE_KEYRING: 'off',
};

/**
 * `wagate serve` arguments for a simulator nobody runs: a port nothing listens on and any 32-byte root key. The core
 * starts and answers; its session never gets past connecting.
 */
export const UNREACHABLE_SIMULATOR = [
  '--wa-url',
  'ws://127.0.0.1:9/ws/chat',
  '--wa-root-key',
  Buffer.alloc(32, 1).toString('base64'),
];

/** A `wagate` process started as a user would start it. */
export interface Running {
  child: ChildProcess;
  /** Everything printed on stdout so far. */
  output(): string;
  /** Everything printed on stderr so far. */
  errors(): string;
  /** SIGTERM for a clean shutdown, SIGKILL if it does not come within 10 s. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, or the power going out. */
  kill(): Promise<void>;
}

/**
 * Starts `wagate ARGS` and resolves once stdout shows every pattern; the captured groups come back in order.
 * `node.args` go to Node before the command (e.g. an `--import`), `node.env` beside the usual environment.
 */
export async function startWagate(
  args: string[],
  patterns: RegExp[],
  timeoutMs = 20_000,
  node: { args?: string[]; env?: Record<string, string> } = {},
): Promise<{ running: Running; found: string[] }> {
  const child = spawn(NODE, [...(node.args ?? []), BIN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...ENV, ...node.env },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running: Running = {
    child,
    output: () => out,
    errors: () => err,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(force);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  try {
    const found = await new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`wagate ${args.join(' ')} did not print ${patterns.join(', ')}:\n${out}\n${err}`)),
        timeoutMs,
      );
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`wagate ${args.join(' ')} exited with ${code}:\n${out}\n${err}`));
      };
      const check = () => {
        const matches = patterns.map((p) => p.exec(out)?.[1]);
        if (matches.some((m) => m === undefined)) return;
        clearTimeout(timer);
        child.stdout!.off('data', check);
        child.off('exit', onExit);
        resolve(matches as string[]);
      };
      child.stdout!.on('data', check);
      child.once('exit', onExit);
    });
    return { running, found };
  } catch (error) {
    await running.stop();
    throw error;
  }
}

/** Runs `wagate ARGS` to completion and answers its stdout; throws (with its stderr) when it exits non-zero. */
export function runWagate(args: string[]): string {
  return execFileSync(NODE, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: ENV,
  });
}

/** Runs `wagate ARGS` to completion, whatever its exit code: what a user sees in the terminal. */
export function tryWagate(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(NODE, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: ENV });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The preload that records every module a process loads (test/support/loaded-modules.ts). */
const LOADED_MODULES = new URL('./loaded-modules.ts', import.meta.url).href;

/**
 * `wagate serve ARGS` on a new data folder with an API key made for it, recording every module it loads: for tests
 * of what the core loads, and when. `modules()` is the list so far, one URL a line.
 */
export async function serveRecordingModules(scope: Scope, args: string[]) {
  const dataDir = tempDir(scope);
  const loaded = join(tempDir(scope), 'loaded.txt');
  const key = runWagate(['keys', 'create', 'modules', '--sandbox', '--data-dir', dataDir]).trim();
  const { running, found } = await startWagate(
    ['serve', ...args, '--port', '0', '--data-dir', dataDir],
    [/^API: (\S+)$/m],
    20_000,
    { args: ['--import', LOADED_MODULES], env: { LOADED_MODULES_FILE: loaded } },
  );
  return {
    running,
    api: found[0]!,
    headers: { authorization: key, 'content-type': 'application/json' },
    modules: () => readFileSync(loaded, 'utf8'),
  };
}
