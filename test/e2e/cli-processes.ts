import { spawn, execFileSync, type ChildProcess } from 'node:child_process';

const BIN = new URL('../../bin/wagate.js', import.meta.url).pathname;

export interface Running {
  child: ChildProcess;
  /** Everything printed on stdout so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `wagate ARGS` and resolves once stdout shows every pattern; the captured groups come back in order. */
export async function startWagate(
  args: string[],
  patterns: RegExp[],
  timeoutMs = 20_000,
): Promise<{ running: Running; found: string[] }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WAGATE_LOG: 'warn' },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk));
  const running: Running = {
    child,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
  const found = await new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`wagate ${args.join(' ')} did not print ${patterns.join(', ')}:\n${out}\n${err}`)),
      timeoutMs,
    );
    const check = () => {
      const matches = patterns.map((p) => p.exec(out)?.[1]);
      if (matches.every((m) => m !== undefined)) {
        clearTimeout(timer);
        resolve(matches as string[]);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`wagate ${args.join(' ')} exited with ${code}:\n${out}\n${err}`));
    });
  });
  return { running, found };
}

/** Runs `wagate ARGS` to completion and answers its stdout. */
export function runWagate(args: string[]): string {
  return execFileSync(process.execPath, [BIN, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
