import { spawn } from 'node:child_process';
import { cpuMs } from './process-stats.ts';

export interface StartFigures {
  /** From spawn until /health answered 200. */
  wallMs: number;
  /** CPU the process used by then. */
  cpuMs: number;
}

/** Starts the real command, as a user would, and times it until /health answers; then stops it. */
export async function coldStart(args: string[], env: NodeJS.ProcessEnv = {}): Promise<StartFigures> {
  const started = performance.now();
  const child = spawn(process.execPath, ['bin/wagate.js', ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, WAGATE_KEYRING: 'off', ...env },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk;
        const match = /^API: (\S+)$/m.exec(out);
        if (match) resolve(match[1]!);
      });
      child.once('exit', () => reject(new Error(`wagate ${args.join(' ')} exited: ${out}`)));
    });
    while ((await fetch(`${url}/health`).catch(() => null))?.ok !== true) await new Promise((r) => setTimeout(r, 2));
    return { wallMs: performance.now() - started, cpuMs: cpuMs(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
