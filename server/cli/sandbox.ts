import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLoopbackHost } from '../config.ts';
import { createLogger } from '../logger.ts';
import { startSimulator } from '../sandbox/simulator.ts';
import { createStandaloneSandboxApp } from '../http/routes/sandbox.ts';
import { fail } from './fail.ts';
import { configFrom, parsePort, type Flags } from './flags.ts';

/** `wagate sandbox`: the WhatsApp simulator alone, for a `wagate serve --wa-url` elsewhere. */
export async function sandboxCommand(flags: Flags): Promise<void> {
  const config = configFrom(flags);
  const host = flags.host ?? '127.0.0.1';
  if (!isLoopbackHost(host))
    fail(`the simulator listens on this computer only (127.0.0.1, localhost or ::1), not ${host}`);
  const logger = createLogger(config.logLevel, 2).child({ part: 'sandbox' });
  const simulator = await startSimulator({
    dataDir: config.dataDir,
    host,
    port: parsePort(flags.port) ?? 7010,
    logger,
    http: (sim) => createStandaloneSandboxApp(sim, { host, logger }),
  });
  console.log(`WhatsApp simulator: ${simulator.wsUrl}`);
  console.log(`Root public key: ${simulator.rootPublicKey}`);
  console.log(`Control API: ${simulator.httpUrl}/sandbox/phone`);
  const mediaCa = join(config.dataDir, 'sandbox', 'media-root.pem');
  writeFileSync(mediaCa, simulator.mediaRootCert, { mode: 0o600 });
  console.log(`Media root certificate: ${mediaCa}`);
  console.log(
    `Connect WaGate: wagate serve --wa-url ${simulator.wsUrl} --wa-root-key ${simulator.rootPublicKey} --wa-media-ca ${mediaCa}`,
  );
  const shutdown = async () => {
    await simulator.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
