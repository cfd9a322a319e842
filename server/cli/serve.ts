import { createLogger } from '../logger.ts';
import { startCore, VERSION, type Core } from '../core.ts';
import { CredentialsUnavailableError } from '../store/auth-state.ts';
import { loginLink } from './dashboard.ts';
import { fail } from './fail.ts';
import { configFrom, type Flags } from './flags.ts';

function printSandboxWelcome(core: Core): void {
  const keys = core.keys;
  console.log('SANDBOX MODE: WaGate is linked to a virtual phone, not to WhatsApp. Nothing leaves this machine.');
  if (keys.list().length > 0) return;
  const { key } = keys.create({ name: 'sandbox', expiresAt: null });
  console.log(`API key (shown once): ${key}`);
  console.log(`Pair the virtual phone:  curl -X POST ${core.url}/sandbox/phone/scan -H "Authorization: ${key}"`);
  console.log(
    `Send a message:          curl -X POST ${core.url}/chats/15550001111/messages -H "Authorization: ${key}" -H "Content-Type: application/json" -d '{"text":"Hello, World!"}'`,
  );
  console.log(
    `Read Alice's inbox:      curl ${core.url}/sandbox/contacts/15550001111/inbox -H "Authorization: ${key}"`,
  );
}

/** `wagate serve`: the API and the dashboard until SIGINT or SIGTERM. */
export async function serveCommand(flags: Flags): Promise<void> {
  const config = configFrom(flags);
  const logger = createLogger(config.logLevel, 2);
  let core: Core;
  try {
    core = await startCore(config, { logger });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      fail(`port ${config.port} is already in use: is WaGate already running? Try --port 7002`);
    if (error instanceof CredentialsUnavailableError) fail(error.message);
    throw error;
  }
  console.log(`WaGate ${VERSION}`);
  console.log(`API: ${core.url}`);
  console.log(`Dashboard: ${loginLink(core.url, core.admin.issueLoginToken())}`);
  console.log(`Data: ${config.dataDir}`);
  if (config.sandbox) printSandboxWelcome(core);
  if (config.waUrl) console.log(`NOT WHATSAPP: connected to the simulator at ${config.waUrl}`);
  const shutdown = async () => {
    await core.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
