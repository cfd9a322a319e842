import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWagate, startWagate } from '../support/wagate-process.ts';

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
  try {
    const { running, found } = await startWagate(
      ['serve', '--sandbox', '--port', '0', '--data-dir', dataDir],
      [/^API: (http:\/\/\S+)$/m, /^Dashboard: (http:\/\/\S+)$/m],
      timeoutMs,
      // At info, a failed spec's log (spec-kit) shows the session's reconnects and the outbox's resends.
      { env: { WAGATE_LOG: 'info' } },
    );
    const [apiUrl, loginUrl] = found as [string, string];
    const freshLoginUrl = async () => {
      const stdout = runWagate(['dashboard', '--sandbox', '--data-dir', dataDir]);
      const link = /(http:\/\/\S+\/admin\/login\?token=\S+)/.exec(stdout)?.[1];
      if (!link) throw new Error(`wagate dashboard printed no link:\n${stdout}`);
      return link;
    };
    const stop = async () => {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
    return { apiUrl, loginUrl, freshLoginUrl, output: () => running.output() + running.errors(), stop };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
