import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { silentLogger } from '../server/logger.ts';
import { coreEnvironment } from '../server/heap-policy.ts';
import { startSimulator } from '../server/sandbox/simulator.ts';
import { trustSimulatorRoot } from '../server/whatsapp/trust-root.ts';
import { listenForAcks } from '../server/whatsapp/server-acks.ts';
import { generateMessageIDV2 } from '@whiskeysockets/baileys';
import { BaileysTestClient, silenceLibsignal } from '../test/support/baileys-client.ts';
import { ALICE } from '../test/support/contacts.ts';
import { ownCpuMs, servePaired, servePairedSandbox, timedWithCpu } from './paired-sandbox.ts';
import { startExternalSimulator, type ExternalSimulator } from './external-simulator.ts';
import { cpuMs } from './process-stats.ts';
import { eventually } from '../test/support/waits.ts';

const MESSAGES = 60;

/** Sends per second, and the CPU each send cost (ms). */
export interface SendFigures {
  perSecond: number;
  cpuMsPerSend: number;
}

/** WaGate's: the `wagate serve` process's CPU per send, and its client's (this process) beside it. */
export interface ApiFigures extends SendFigures {
  clientCpuMsPerSend: number;
}

/**
 * Bare Baileys (an in-memory auth state), linked to a simulator in its own process (as `serve --sandbox` has one in
 * its own), sending one message after the other and waiting for each one's server ack, as a 200 of WaGate does: the
 * fair yardstick (a loop that only waits for the frame to be written never yields, and its messages reach the
 * simulator after its clock stops). Run through `bareInChild`, under the same heap policy as `wagate serve`.
 */
export async function bareBaileys(dataDir: string): Promise<SendFigures> {
  silenceLibsignal();
  const sim = await startSimulator({ dataDir, port: 0, logger: silentLogger() });
  try {
    return await bareBaileysAgainst({
      wsUrl: sim.wsUrl,
      rootKey: sim.rootPublicKey,
      scan: async (qr) => void (await sim.scan(qr)),
    });
  } finally {
    await sim.close();
  }
}

/** The bare client's loop against a simulator wherever it runs. */
export async function bareBaileysAgainst(
  sim: Pick<ExternalSimulator, 'wsUrl' | 'rootKey' | 'scan'>,
): Promise<SendFigures> {
  silenceLibsignal();
  trustSimulatorRoot(sim.rootKey);
  const client = new BaileysTestClient(sim.wsUrl);
  client.connect();
  await sim.scan(await client.waitForQr());
  await client.waitForOpen();
  const sock = client.sock!;
  const acks = listenForAcks(sock);
  const { perSecond, cpuMsPerSend } = await timedWithCpu(
    MESSAGES,
    async (i) => {
      const messageId = generateMessageIDV2(sock.user?.id);
      const acked = acks.waitFor(messageId, 30_000);
      await sock.sendMessage(`${ALICE}@s.whatsapp.net`, { text: `bare ${i}` }, { messageId });
      await acked;
    },
    [ownCpuMs],
  );
  await client.end();
  return { perSecond, cpuMsPerSend: cpuMsPerSend[0]! };
}

/**
 * Bare Baileys in a process of its own (bench/messages-bare.ts), which applies `wagate serve`'s heap policy before
 * anything loads: the fair yardstick runs with the same young generation as WaGate. In this process it ran with
 * Node's default one, which grows to 16 MB: ~20 scavenges per 300 sends against WaGate's ~430 (NOTES: sends).
 */
function bareInChild(args: string[]): Promise<SendFigures> {
  const child = spawn(process.execPath, [new URL('./messages-bare.ts', import.meta.url).pathname, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: coreEnvironment(process.env),
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const figures = out
        .split('\n')
        .reverse()
        .find((line) => line.startsWith('{'));
      if (code === 0 && figures) resolve(JSON.parse(figures) as SendFigures);
      else reject(new Error(`bare Baileys exited with ${code}:\n${out}\n${err}`));
    });
  });
}

/** One text to Alice through the API, with both simulations off; fails unless answered `expected`. */
async function sendText(api: string, headers: Record<string, string>, text: string, async: boolean, expected: number) {
  const body = JSON.stringify({ text, typing_simulation: false, presence_simulation: false, async });
  const res = await fetch(`${api}/chats/${ALICE}/messages`, { method: 'POST', headers, body });
  if (res.status !== expected) throw new Error(`send answered ${res.status}: ${await res.text()}`);
}

/** Synchronous sends through a paired `wagate serve` at `api`, each to its 200, with the CPU of both processes. */
async function syncSends(api: string, headers: Record<string, string>, pid: number): Promise<ApiFigures> {
  const { perSecond, cpuMsPerSend } = await timedWithCpu(
    MESSAGES,
    (i) => sendText(api, headers, `api ${i}`, false, 200),
    [() => cpuMs(pid), ownCpuMs],
  );
  return { perSecond, cpuMsPerSend: cpuMsPerSend[0]!, clientCpuMsPerSend: cpuMsPerSend[1]! };
}

/**
 * The same through WaGate's HTTP API, with both simulations off, from another process as a local app would:
 * `wagate serve --sandbox` runs as a child, this process is the client. `sync`: one request after the other, each
 * answered once WhatsApp's server acked it; `outbox`: the same number sent with `"async": true` (each answered 202 at
 * once), timed until the outbox has delivered them all.
 */
async function throughApi(dataDir: string): Promise<{ sync: ApiFigures; outbox: number }> {
  const { api, headers, pid, stop } = await servePairedSandbox(dataDir);
  try {
    const send = (text: string, async: boolean, expected: number) => sendText(api, headers, text, async, expected);
    const sync = await syncSends(api, headers, pid);
    const outboxEmpty = async () =>
      ((await (await fetch(`${api}/outbox`, { headers })).json()) as { data: unknown[] }).data.length === 0;
    const start = performance.now();
    for (let i = 0; i < MESSAGES; i++) await send(`outbox ${i}`, true, 202);
    await eventually(async () => ((await outboxEmpty()) ? true : undefined), 'the outbox delivered', 120_000);
    const outbox = MESSAGES / ((performance.now() - start) / 1000);
    return { sync, outbox };
  } finally {
    await stop();
  }
}

/**
 * Both with the simulator in a process of its own (`wagate sandbox`, one each): bare Baileys in its own process, and
 * WaGate as `wagate serve --wa-url` in another, its client here; synchronous sends, each to its 200.
 */
export async function benchMessagesExternal(dataDir: string): Promise<{ api: ApiFigures; bare: SendFigures }> {
  const bareSim = await startExternalSimulator(join(dataDir, 'bare'));
  let bare: SendFigures;
  try {
    bare = await bareInChild(['external', bareSim.wsUrl, bareSim.rootKey, bareSim.control]);
  } finally {
    await bareSim.stop();
  }
  const sim = await startExternalSimulator(join(dataDir, 'api'));
  try {
    const { api, headers, pid, stop } = await servePaired(join(dataDir, 'api', 'app'), {
      args: ['--wa-url', sim.wsUrl, '--wa-root-key', sim.rootKey],
      scan: (qr) => sim.scan(qr),
    });
    try {
      return { api: await syncSends(api, headers, pid), bare };
    } finally {
      await stop();
    }
  } finally {
    await sim.stop();
  }
}

export async function benchMessagesPerSecond(
  dataDir: string,
): Promise<{ sync: ApiFigures; outbox: number; bare: SendFigures }> {
  const bare = await bareInChild(['in-process', join(dataDir, 'bare')]);
  const { sync, outbox } = await throughApi(join(dataDir, 'api'));
  return { sync, outbox, bare };
}
