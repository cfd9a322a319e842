import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../server/config.ts';
import { startCore } from '../server/core.ts';
import { silentLogger } from '../server/logger.ts';
import { startExternalSimulator } from './external-simulator.ts';
import { sendRequest, type ServerUnderTest } from './new-connections.ts';
import { ALICE } from '../test/support/contacts.ts';
import { eventually } from '../test/support/waits.ts';

/**
 * The connections bench's WaGate: the core in this process, pacing off, linked to a simulator in another process;
 * the clients send asynchronous messages (`sends`: each accepted into the outbox, then delivered) or the same
 * requests with an empty text, refused before any commit (`rejected`, the control).
 */
export async function startLinkedCore(dir: string, load: 'sends' | 'rejected'): Promise<ServerUnderTest> {
  const sim = await startExternalSimulator(dir);
  const dataDir = join(dir, 'app');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ pacing: { enabled: false } }), { mode: 0o600 });
  const core = await startCore(loadConfig({ dataDir, port: 0, waUrl: sim.wsUrl, waRootKey: sim.rootKey }), {
    logger: silentLogger(),
  });
  const stop = async () => {
    await core.stop();
    await sim.stop();
  };
  try {
    const qr = await eventually(async () => core.session.snapshot().qr ?? undefined, 'a QR');
    await sim.scan(qr);
    await eventually(async () => (core.session.snapshot().state === 'connected' ? true : undefined), 'linked');
  } catch (error) {
    await stop();
    throw error;
  }
  const { key } = core.keys.create({ name: 'bench', expiresAt: null });
  return {
    sendUrl: `${core.url}/chats/${ALICE}/messages`,
    init: sendRequest(key, load === 'sends' ? 'load' : ''),
    probeUrl: `${core.url}/health`,
    stop,
  };
}
