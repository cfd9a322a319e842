import { Agent } from 'node:http';
import { requestOnce } from './load.ts';
import { servePairedSandbox, timed } from './paired-sandbox.ts';
import { ALICE } from '../test/support/contacts.ts';

export interface BacklogFigures {
  /** Messages scheduled in all. */
  scheduled: number;
  /** Acceptances per second over the first `window` of them, and over the last. */
  firstPerSecond: number;
  lastPerSecond: number;
  window: number;
}

/**
 * A bulk send scheduled ahead, as a script queues a campaign: `total` messages to one chat with send_at an hour away,
 * through the API of a linked `wagate serve --sandbox`, one after the other. Each is queued as it is accepted, and
 * nothing leaves meanwhile: if queueing cost grew with what the queue holds, the last acceptances would be slower
 * than the first.
 */
export async function benchBacklog(dataDir: string, total = 20_000, window = 1_000): Promise<BacklogFigures> {
  const serve = await servePairedSandbox(dataDir);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const url = `${serve.api}/chats/${ALICE}/messages`;
    const body = { text: 'later', send_at: Math.floor(Date.now() / 1000) + 3600 };
    const init = { method: 'POST', headers: serve.headers, body: JSON.stringify(body) };
    let queued = 0;
    const scheduleOne = async () => {
      const status = await requestOnce(url, init, agent);
      queued++;
      if (status !== 202) throw new Error(`a scheduled send answered ${status}`);
    };
    // A window's worth untimed first (the JIT, the first commits): the first window is then behind that many.
    for (let i = 0; i < window; i++) await scheduleOne();
    const firstPerSecond = await timed(window, scheduleOne);
    while (queued < total - window) await scheduleOne();
    const lastPerSecond = await timed(window, scheduleOne);
    return { scheduled: queued, firstPerSecond, lastPerSecond, window };
  } finally {
    agent.destroy();
    await serve.stop();
  }
}
