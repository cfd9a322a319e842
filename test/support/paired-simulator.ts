import { silentLogger } from '../../server/logger.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../server/sandbox/simulator.ts';
import { trustSimulatorRoot } from '../../server/whatsapp/trust-root.ts';
import { BaileysTestClient } from './baileys-client.ts';
import { atEnd, type Scope } from './scope.ts';
import { tempDir } from './temp-dir.ts';

/**
 * The sandbox suites' starting point: a simulator in a temp folder (serving `http` beside it, if given) and a raw
 * Baileys client linked to its virtual phone by QR. One cleanup ends the client, then closes the simulator.
 */
export async function startPairedSimulator(
  scope: Scope,
  { http }: Pick<SimulatorOptions, 'http'> = {},
): Promise<{ sim: Simulator; client: BaileysTestClient }> {
  const sim = await startSimulator({ dataDir: tempDir(scope), logger: silentLogger(), http });
  trustSimulatorRoot(sim.rootPublicKey);
  const client = new BaileysTestClient(sim.wsUrl, { mediaRootCert: sim.mediaRootCert });
  atEnd(scope, async () => {
    await client.end();
    await sim.close();
  });
  client.connect();
  await sim.scan(await client.waitForQr());
  await client.waitForOpen();
  return { sim, client };
}
