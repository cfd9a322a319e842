import { silentLogger } from '../server/logger.ts';
import { startSimulator } from '../server/sandbox/simulator.ts';
import { trustSimulatorRoot } from '../server/whatsapp/trust-root.ts';
import { BaileysTestClient, silenceLibsignal } from '../test/sandbox/baileys-client.ts';
import { startHarness, postJson } from '../test/http/core-harness.ts';
import { pairThroughApi } from '../test/e2e/pairing.ts';

const MESSAGES = 60;
const ALICE = '15550001111';

async function timed(count: number, sendOne: (i: number) => Promise<unknown>): Promise<number> {
  await sendOne(-1);
  const start = performance.now();
  for (let i = 0; i < count; i++) await sendOne(i);
  return count / ((performance.now() - start) / 1000);
}

/** Bare Baileys, linked to a simulator of its own, sending one message after the other. */
async function bareBaileys(dataDir: string): Promise<number> {
  const sim = await startSimulator({ dataDir, port: 0, logger: silentLogger() });
  trustSimulatorRoot(sim.rootPublicKey);
  const client = new BaileysTestClient(sim.wsUrl);
  client.connect();
  await sim.scan(await client.waitForQr());
  await client.waitForOpen();
  const perSecond = await timed(MESSAGES, (i) => client.sock!.sendMessage(`${ALICE}@s.whatsapp.net`, { text: `bare ${i}` }));
  await client.end();
  await sim.close();
  return perSecond;
}

/** The same through WaGate's HTTP API, with both simulations off, one request after the other. */
async function throughApi(): Promise<number> {
  const h = await startHarness();
  await pairThroughApi(h);
  const body = (i: number) => postJson({ text: `api ${i}`, typing_simulation: false, presence_simulation: false });
  const perSecond = await timed(MESSAGES, async (i) => {
    const res = await h.call(`/chats/${ALICE}/messages`, body(i));
    if (res.status !== 200) throw new Error(`send answered ${res.status}: ${JSON.stringify(res.body)}`);
  });
  await h.close();
  return perSecond;
}

export async function benchMessagesPerSecond(dataDir: string): Promise<{ api: number; bare: number }> {
  silenceLibsignal();
  const bare = await bareBaileys(dataDir);
  const api = await throughApi();
  return { api, bare };
}
