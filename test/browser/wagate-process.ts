import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/wagate.js');
/** Node 24 from the `node` devDependency: the machine's own node may be too old to run the TypeScript sources. */
const NODE = existsSync(join(ROOT, 'node_modules/.bin/node')) ? join(ROOT, 'node_modules/.bin/node') : process.execPath;

export interface ServedWagate {
  apiUrl: string;
  loginUrl: string;
  /** A new one-time link from `wagate dashboard --sandbox`, as a user in another terminal would get it. */
  freshLoginUrl(): Promise<string>;
  /** Everything printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Runs `wagate serve --sandbox` as a user would, on a free port with a temp data dir, and reads its links from stdout. */
export async function serveSandbox(timeoutMs = 30_000): Promise<ServedWagate> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wagate-browser-'));
  const child = spawn(NODE, [BIN, 'serve', '--sandbox', '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`, WAGATE_LOG: 'warn' },
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk));
  const stop = async () => {
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const [apiUrl, loginUrl] = await waitForLines(
      child,
      () => out,
      [/^API: (http:\/\/\S+)$/m, /^Dashboard: (http:\/\/\S+)$/m],
      timeoutMs,
    );
    const freshLoginUrl = async () => {
      const { stdout } = await promisify(execFile)(NODE, [BIN, 'dashboard', '--sandbox', '--data-dir', dataDir], {
        cwd: ROOT,
        timeout: 15_000,
      });
      const link = /(http:\/\/\S+\/admin\/login\?token=\S+)/.exec(stdout)?.[1];
      if (!link) throw new Error(`wagate dashboard printed no link:\n${stdout}`);
      return link;
    };
    return { apiUrl: apiUrl!, loginUrl: loginUrl!, freshLoginUrl, output: () => out, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function waitForLines(
  child: ChildProcess,
  output: () => string,
  patterns: RegExp[],
  timeoutMs: number,
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`wagate serve did not print its links within ${timeoutMs} ms:\n${output()}`)),
      timeoutMs,
    );
    const onExit = (code: number | null) => finish(new Error(`wagate serve exited with ${code}:\n${output()}`));
    const check = () => {
      const found = patterns.map((pattern) => pattern.exec(output())?.[1]);
      if (found.every((value) => value !== undefined)) finish(null, found as string[]);
    };
    function finish(error: Error | null, found: string[] = []): void {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(found);
    }
    child.stdout!.on('data', check);
    child.once('exit', onExit);
  });
}

/** SIGTERM for a clean shutdown, SIGKILL if it does not come within 10 s. */
function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
