import { parseArgs, type ParseArgsConfig } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { isLoopbackHost, loadConfig, type Config } from './config.ts';
import { createLogger } from './logger.ts';
import { openDatabase, type Database } from './store/database.ts';
import { lockDownDataFolder } from './store/data-folder.ts';
import { createApiKeyStore, type ApiKeyRecord } from './store/api-keys.ts';
import { createAdminSessions } from './store/admin-sessions.ts';
import { databaseFile, serverInfoFile, startCore, VERSION, type Core } from './core.ts';
import { CredentialsUnavailableError } from './store/auth-state.ts';
import { KeyName } from './http/schemas.ts';
import { startSimulator } from './sandbox/simulator.ts';
import { webhooksCommand } from './cli/webhooks.ts';

const USAGE = `wagate ${VERSION}: a local WhatsApp gateway

  wagate serve [--port 7001] [--host 127.0.0.1] [--data-dir DIR]   run the API and the dashboard
  wagate serve --sandbox                                          the same, linked to a virtual phone (no WhatsApp)
  wagate serve --wa-url ws://127.0.0.1:PORT/ws/chat --wa-root-key BASE64   talk to a WhatsApp simulator
  wagate sandbox [--port 7010]                                    run the WhatsApp simulator alone
  wagate keys create NAME [--expires-in 30d]                      make an API key (shown once)
  wagate keys list | wagate keys revoke ID
  wagate webhooks add URL [--events message.received,message.status]   POST events to URL, signed (secret shown once)
  wagate webhooks list | wagate webhooks remove ID | wagate webhooks resume ID
  wagate dashboard                                                print a fresh dashboard login link
Add --sandbox to keys, webhooks and dashboard to work on the sandbox's data.`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  sandbox: { type: 'boolean' },
  'wa-url': { type: 'string' },
  'wa-root-key': { type: 'string' },
  'expires-in': { type: 'string' },
  events: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} satisfies ParseArgsConfig['options'];

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function fail(message: string): never {
  console.error(`wagate: ${message}`);
  process.exit(2);
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`--port must be a number from 0 to 65535, not "${value}"`);
  return port;
}

function configFrom(flags: Flags): Config {
  try {
    return loadConfig({
      dataDir: flags['data-dir'],
      host: flags.host,
      port: parsePort(flags.port),
      sandbox: flags.sandbox,
      waUrl: flags['wa-url'],
      waRootKey: flags['wa-root-key'],
      logLevel: flags['log-level'],
    });
  } catch (error) {
    fail((error as Error).message);
  }
}

/** The database of the commands that work on the data folder without a running server; the folder locked down first. */
function openData(config: Config): Database {
  lockDownDataFolder(config.dataDir, { logger: createLogger(config.logLevel, 2) });
  return openDatabase(databaseFile(config));
}

/** "30d", "12h", "45m" → milliseconds. */
function parseDuration(text: string): number | null {
  const match = /^(\d+)\s*([dhm])$/.exec(text.trim());
  if (!match) return null;
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as 'd' | 'h' | 'm'];
  return Number(match[1]) * unit;
}

function loginLink(url: string, token: string): string {
  return `${url}/admin/login?token=${token}`;
}

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

async function serve(flags: Flags): Promise<void> {
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

async function sandbox(flags: Flags): Promise<void> {
  const config = configFrom(flags);
  const host = flags.host ?? '127.0.0.1';
  if (!isLoopbackHost(host))
    fail(`the simulator listens on this computer only (127.0.0.1, localhost or ::1), not ${host}`);
  const simulator = await startSimulator({
    dataDir: config.dataDir,
    host,
    port: parsePort(flags.port) ?? 7010,
    logger: createLogger(config.logLevel, 2).child({ part: 'sandbox' }),
  });
  console.log(`WhatsApp simulator: ${simulator.wsUrl}`);
  console.log(`Root public key: ${simulator.rootPublicKey}`);
  console.log(`Control API: ${simulator.httpUrl}/sandbox/phone`);
  console.log(`Connect WaGate: wagate serve --wa-url ${simulator.wsUrl} --wa-root-key ${simulator.rootPublicKey}`);
  const shutdown = async () => {
    await simulator.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

function describeKey(record: ApiKeyRecord): string {
  const date = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));
  return [
    record.id,
    record.prefix,
    record.status,
    `created ${date(record.created_at)}`,
    `last used ${date(record.last_used_at)}`,
    `expires ${date(record.expires_at)}`,
    record.name,
  ].join('  ');
}

function keys(flags: Flags, args: string[]): void {
  const store = createApiKeyStore(openData(configFrom(flags)));
  const [action, value] = args;
  if (action === 'create') {
    const name = KeyName.safeParse(value ?? '');
    if (!name.success) fail(`${name.error.issues[0]!.message}: wagate keys create NAME [--expires-in 30d]`);
    const ttl = flags['expires-in'] === undefined ? null : parseDuration(flags['expires-in']);
    if (ttl === null && flags['expires-in'] !== undefined)
      fail('--expires-in takes a number of days, hours or minutes: 30d, 12h, 45m');
    const { key, record } = store.create({ name: name.data, expiresAt: ttl === null ? null : Date.now() + ttl });
    console.log(key);
    console.error(`Created key ${record.id} "${record.name}". Copy it now: it is not shown again.`);
  } else if (action === 'list') {
    const all = store.list();
    console.log(all.length ? all.map(describeKey).join('\n') : 'No API keys yet: wagate keys create NAME');
  } else if (action === 'revoke') {
    if (!value) fail('usage: wagate keys revoke ID');
    const record = store.revoke(value);
    if (!record) fail(`no key with id ${value} (see wagate keys list)`);
    console.log(`Revoked ${record.id} "${record.name}"`);
  } else {
    fail('usage: wagate keys create NAME | list | revoke ID');
  }
}

function dashboard(flags: Flags): void {
  const config = configFrom(flags);
  const infoFile = serverInfoFile(config);
  if (!existsSync(infoFile)) fail('WaGate is not running: start it with `wagate serve`, which prints a login link too');
  const { url } = JSON.parse(readFileSync(infoFile, 'utf8')) as { url: string };
  const token = createAdminSessions(openData(config)).issueLoginToken();
  console.log(loginLink(url, token));
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values: flags, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (flags.version) return console.log(VERSION);
  if (flags.help || !command) return console.log(USAGE);
  if (command === 'serve') return serve(flags);
  if (command === 'sandbox') return sandbox(flags);
  if (command === 'keys') return keys(flags, rest);
  if (command === 'webhooks') return webhooksCommand(openData(configFrom(flags)), rest, { events: flags.events });
  if (command === 'dashboard') return dashboard(flags);
  fail(`unknown command "${command}"\n\n${USAGE}`);
}

await main(process.argv.slice(2));
