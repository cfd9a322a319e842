import { createLogger } from '../logger.ts';
import { startCore, VERSION, type Core } from '../core.ts';
import { CredentialsUnavailableError } from '../store/saved-credentials.ts';
import { CredentialKeyError, loadCredentialKey } from '../credentials/credential-key.ts';
import type { CredentialStorage } from '../contract/desktop.ts';
import { makeOwnerOnlyFolder } from '../data-folder.ts';
import { openOsKeyring } from '../credentials/os-keyring.ts';
import { loginLink } from './dashboard.ts';
import { fail } from './fail.ts';
import { configFrom, type Flags } from './flags.ts';
import type { SessionSnapshot, SessionState } from '../contract/session.ts';

const LINK_STATES = new Set<SessionState>(['qr', 'connected', 'logged_out', 'replaced']);

/** Waits (briefly) until the session says whether a phone is linked, so the banner never claims a link too early. */
function linkSettled(core: Core, withinMs = 5_000): Promise<SessionState> {
  const now = core.session.snapshot().state;
  if (LINK_STATES.has(now)) return Promise.resolve(now);
  return new Promise((resolve) => {
    const done = (state: SessionState) => {
      clearTimeout(timer);
      core.events.off('session.state', onState);
      resolve(state);
    };
    const onState = (snap: SessionSnapshot) => LINK_STATES.has(snap.state) && done(snap.state);
    const timer = setTimeout(() => done(core.session.snapshot().state), withinMs);
    core.events.on('session.state', onState);
  });
}

/**
 * A simulator's keys live in the sandbox's data (`--sandbox`): the first run makes one and shows it; later runs say
 * how to make another. Returns the key to put in the examples.
 */
function printKeyHint(core: Core): string {
  if (core.keys.list().length > 0) {
    console.log('API keys: use one you made before, or make one: npx wagate keys create NAME --sandbox');
    return '$KEY';
  }
  const { key } = core.keys.create({ name: 'sandbox', expiresAt: null });
  console.log(`API key (shown once, keep it): ${key}`);
  return key;
}

/** What a newcomer needs next in sandbox mode: a key, pairing if not linked, a first send. */
async function printSandboxWelcome(core: Core): Promise<void> {
  // The sandbox's own module, loaded with the simulator: a plain start does not load it.
  const { SEED_CONTACTS } = await import('../sandbox/virtual-contacts.ts');
  /** Alice: the first seed contact, on WhatsApp. */
  const aliceNumber = SEED_CONTACTS[0]!.number;
  console.log('SANDBOX MODE: WaGate talks to a WhatsApp simulator on this computer. Nothing leaves this machine.');
  const key = printKeyHint(core);
  const linked = (await linkSettled(core)) === 'connected';
  console.log(linked ? 'Linked to the virtual phone.' : 'Not linked yet.');
  if (!linked)
    console.log(`Pair the virtual phone:  curl -X POST ${core.url}/sandbox/phone/scan -H "Authorization: ${key}"`);
  console.log(
    `Send a message:          curl -X POST ${core.url}/chats/${aliceNumber}/messages -H "Authorization: ${key}" -H "Content-Type: application/json" -d '{"text":"Hello, World!"}'`,
  );
  console.log(
    `Read Alice's inbox:      curl ${core.url}/sandbox/contacts/${aliceNumber}/inbox -H "Authorization: ${key}"`,
  );
}

function describeStorage(storage: CredentialStorage): string {
  return storage.kind === 'keyring'
    ? `encrypted, the key in the system keyring (${storage.keyring})`
    : "protected by the data folder's permissions only (no system keyring here)";
}

/** `wagate serve`: the API and the dashboard until SIGINT or SIGTERM. */
export async function serveCommand(flags: Flags): Promise<void> {
  const config = configFrom(flags);
  const logger = createLogger(config.logLevel, 2);
  let core: Core;
  try {
    makeOwnerOnlyFolder(config.dataDir);
    const { key, storage } = loadCredentialKey({ dataDir: config.dataDir, keyring: openOsKeyring() });
    core = await startCore(config, { logger, credentialKey: key ?? undefined, credentialStorage: storage });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      fail(`port ${config.port} is already in use: is WaGate already running? Try --port 7002`);
    if (error instanceof CredentialsUnavailableError || error instanceof CredentialKeyError) fail(error.message);
    throw error;
  }
  console.log(`WaGate ${VERSION}`);
  console.log(`API: ${core.url}`);
  console.log(`Dashboard: ${loginLink(core.url, core.admin.issueLoginToken())}`);
  console.log(`Data: ${config.dataDir}`);
  console.log(`Credentials: ${describeStorage(core.credentialStorage)}`);
  if (config.sandbox) await printSandboxWelcome(core);
  if (config.waUrl) {
    console.log(`NOT WHATSAPP: connected to the simulator at ${config.waUrl}`);
    printKeyHint(core);
  }
  const shutdown = async () => {
    await core.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
