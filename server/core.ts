import type { Server } from 'node:http';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { flushCompileCache } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pkg from '../package.json' with { type: 'json' };
import { isLoopbackHost, saveConfigPart, type Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { createEventBus, type CoreEvents } from './events.ts';
import { openDatabase } from './store/database.ts';
import { createGroupCommit, type FileSync } from './store/group-commit.ts';
import { FILE_MODE, lockDownDataFolder } from './data-folder.ts';
import type { CredentialStorage } from './contract/desktop.ts';
import { createApiKeyStore, type ApiKeyStore } from './store/api-keys.ts';
import { createAdminSessions, type AdminSessions } from './store/admin-sessions.ts';
import { createMessageStore, type MessageStore } from './store/messages.ts';
import { createMediaFiles, type MediaFiles } from './store/media-files.ts';
import { sweepMedia } from './whatsapp/media-retention.ts';
import { createIdempotencyStore } from './store/idempotency.ts';
import { createEventLog, type EventLog } from './store/event-log.ts';
import { createWebhookStore, type WebhookStore } from './webhooks/webhook-store.ts';
import { createWebhookDispatcher } from './webhooks/dispatcher.ts';
import {
  CredentialsUnavailableError,
  forgetCredentials,
  openSavedCredentials,
  type SavedCredentials,
} from './store/saved-credentials.ts';
import type { Session } from './whatsapp/session.ts';
import { deferWhatsApp, type WhatsAppParts } from './whatsapp/deferred-whatsapp.ts';
import { loadBaileys } from './whatsapp/load-baileys.ts';
import { createSender, type Sender } from './whatsapp/sender.ts';
import { createMessageActions } from './whatsapp/message-actions.ts';
import { createOutboxWorker } from './whatsapp/outbox-worker.ts';
import { createOutboxStore } from './store/outbox.ts';
import { systemClock, type Clock } from './clock.ts';
import { createLidMappings, type LidMappings } from './store/lid-mappings.ts';
import { createReconnectLog, type ReconnectLog } from './store/reconnect-log.ts';
import { createMemberReceipts, type MemberReceipts } from './store/member-receipts.ts';
import { createGroupDirectory } from './whatsapp/group-directory.ts';
import { createContactDirectory } from './whatsapp/contact-directory.ts';
import { createPacer, type Pacer } from './whatsapp/pacing.ts';
import { createPacingHistory } from './store/pacing-history.ts';
import type { Simulator } from './sandbox/simulator.ts';
import { createHttpApp } from './http/app.ts';
import { createHttpServer } from './http/http-server.ts';
import { firstAnswer } from './http/first-answer.ts';
import { collectWhenSettled, lowMemoryCollection } from './settled-collection.ts';
import type { WhatsAppServerKind } from './contract/health.ts';

export const VERSION: string = pkg.version;

export interface Core {
  /** Where the API and the dashboard answer, e.g. http://127.0.0.1:7001 */
  url: string;
  events: CoreEvents;
  session: Session;
  sender: Sender;
  pacer: Pacer;
  keys: ApiKeyStore;
  admin: AdminSessions;
  messages: MessageStore;
  sandbox: Simulator | null;
  /** Who keeps the key of the WhatsApp credentials. */
  credentialStorage: CredentialStorage;
  eventLog: EventLog;
  webhooks: WebhookStore;
  /** Stops the HTTP server and the WhatsApp session; every write is flushed before it resolves. */
  stop(): Promise<void>;
}

export interface CoreOptions {
  logger?: Logger;
  /** The built dashboard; Electron's bundle passes its own location. */
  dashboardDir?: string;
  /** 32 bytes that seal the WhatsApp credentials at rest (the desktop app's, kept by the OS keyring); none: plaintext. */
  credentialKey?: Buffer;
  /** Time for scheduled sends, the synchronous wait and pacing; tests pass a fake one. */
  clock?: Clock;
  /** Who keeps that key, for the banner and the admin view of /health; without a key, the folder's permissions. */
  credentialStorage?: CredentialStorage;
  /** fsyncs a file of the store (group-commit.ts); tests hold it to see what waits for the disk. */
  fileSync?: FileSync;
  /** How long WhatsApp waits for the port's first answer before it starts anyway (FIRST_ANSWER_WAIT_MS). */
  firstAnswerWaitMs?: number;
}

const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../dist/renderer/', import.meta.url));
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::']);

/**
 * Loading Baileys holds the event loop for its longest step (~100 ms here), and a caller that starts `wagate serve`
 * asks /health at once: its answer goes out first. Nobody asking, or a first request that itself waits for WhatsApp
 * (a send), costs WhatsApp this long a delay.
 */
const FIRST_ANSWER_WAIT_MS = 50;

/**
 * Anything but WhatsApp itself gets a database of its own, so a sandbox session can never overwrite the
 * credentials of the real linked phone.
 */
export function databaseFile(config: Pick<Config, 'dataDir' | 'sandbox' | 'waUrl'>): string {
  return config.sandbox || config.waUrl
    ? join(config.dataDir, 'sandbox', 'wagate.db')
    : join(config.dataDir, 'wagate.db');
}

/** Whether `startCore` stopped because the saved WhatsApp credentials cannot be opened (`forgetWhatsAppLink` is the way out). */
export function cannotOpenCredentials(error: unknown): error is Error {
  return error instanceof CredentialsUnavailableError;
}

/** Forgets the saved WhatsApp link of this data folder, in one transaction; API keys, webhooks and messages stay. */
export function forgetWhatsAppLink(config: Pick<Config, 'dataDir' | 'sandbox' | 'waUrl'>): void {
  const db = openDatabase(databaseFile(config));
  try {
    forgetCredentials(db);
  } finally {
    db.close();
  }
}

/** Where a running server says it listens, so `wagate dashboard` in another shell can print a link to it. */
export function serverInfoFile(config: Pick<Config, 'dataDir' | 'sandbox' | 'waUrl'>): string {
  return join(databaseFile(config), '..', 'server.json');
}

/** Where the session connects to, and the simulator's root (trusted once Baileys has loaded) when not WhatsApp. */
interface Target {
  waUrl: string | null;
  sandbox: Simulator | null;
  kind: WhatsAppServerKind;
  rootKey: string | null;
  mediaRootCert: string | null;
}

async function connectTarget(config: Config, logger: Logger): Promise<Target> {
  if (config.sandbox) {
    // Loaded only here: the simulator (and its TLS certificates' library) costs a plain start memory and time.
    const { startSimulator } = await import('./sandbox/simulator.ts');
    const sandbox = await startSimulator({
      dataDir: config.dataDir,
      port: 0,
      logger: logger.child({ part: 'sandbox' }),
    });
    return {
      waUrl: sandbox.wsUrl,
      sandbox,
      kind: 'sandbox',
      rootKey: sandbox.rootPublicKey,
      mediaRootCert: sandbox.mediaRootCert,
    };
  }
  if (config.waUrl) {
    if (!config.waRootKey) throw new Error('--wa-url needs --wa-root-key: the simulator prints it when it starts');
    // Without it, media to and from that simulator fails on its certificate: it is trusted only when given.
    const mediaRootCert = config.waMediaCa ? readFileSync(config.waMediaCa, 'utf8') : null;
    return { waUrl: config.waUrl, sandbox: null, kind: 'simulator', rootKey: config.waRootKey, mediaRootCert };
  }
  return { waUrl: null, sandbox: null, kind: 'whatsapp', rootKey: null, mediaRootCert: null };
}

/**
 * Loads Baileys and builds what needs it: the session and received media. Called once the port is open (Baileys is a
 * third of a start's CPU); everything else was built before without it.
 */
async function loadWhatsApp(deps: {
  config: Config;
  target: Target;
  saved: SavedCredentials;
  /** Resolves once every commit so far is on disk (Baileys' key writes wait for it). */
  durable: () => Promise<void>;
  logger: Logger;
  events: CoreEvents;
  messages: MessageStore;
  lids: LidMappings;
  reconnects: ReconnectLog;
  memberReceipts: MemberReceipts;
  mediaFiles: MediaFiles;
}): Promise<WhatsAppParts> {
  const { config, target, logger } = deps;
  // Node keeps the compile cache of every module it loaded in memory until it writes it, at exit by default: ~11 MB
  // of glibc's main heap for ~2,500 entries once Baileys is in (heaptrack). Written, it is freed. Written before
  // Baileys loads and again once it is in, the main heap peaks lower, and an idle core keeps about that peak (glibc
  // gives back only what is free at the heap's top): 129.2 -> 127.6 MB median of 5 back to back (NOTES.md, idle3).
  flushCompileCache();
  await loadBaileys();
  const [{ createSession }, { createSqliteAuthState }, { createInboundMedia }, { trustSimulatorRoot }] =
    await Promise.all([
      import('./whatsapp/session.ts'),
      import('./store/auth-state.ts'),
      import('./whatsapp/inbound-media.ts'),
      import('./whatsapp/trust-root.ts'),
    ]);
  if (target.rootKey) trustSimulatorRoot(target.rootKey);
  flushCompileCache();
  // Simulator modes only: the simulator's media host has a certificate from its own root.
  const dispatcher = target.mediaRootCert
    ? new (await import('undici')).Agent({ connect: { ca: target.mediaRootCert } })
    : undefined;
  const inboundMedia = createInboundMedia({
    files: deps.mediaFiles,
    config: config.media,
    logger: logger.child({ part: 'media' }),
    ...(dispatcher ? { dispatcher } : {}),
  });
  const session = createSession({
    auth: createSqliteAuthState(deps.saved, deps.durable),
    messages: deps.messages,
    lids: deps.lids,
    reconnects: deps.reconnects,
    memberReceipts: deps.memberReceipts,
    events: deps.events,
    logger: logger.child({ part: 'whatsapp' }),
    watchdog: config.watchdog,
    waUrl: target.waUrl,
    mediaRootCert: target.mediaRootCert,
    mediaFiles: deps.mediaFiles,
    inboundMedia,
    ackTimeoutMs: config.outbox.ack_timeout_ms,
  });
  return { session, inboundMedia };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function allowedHostnames(host: string): Set<string> {
  return new Set(['127.0.0.1', 'localhost', '[::1]', host.toLowerCase()]);
}

/** The composition root: builds every part of WaGate and hands each what it needs. */
export async function startCore(config: Config, options: CoreOptions = {}): Promise<Core> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const credentialStorage: CredentialStorage =
    options.credentialStorage ??
    (options.credentialKey
      ? { kind: 'keyring', keyring: 'system keyring' }
      : { kind: 'folder_permissions', keyring: null });
  lockDownDataFolder(config.dataDir, { logger });
  const file = databaseFile(config);
  const db = openDatabase(file, 'grouped');
  const commits = createGroupCommit({
    db,
    file,
    sync: options.fileSync,
    onError: (err) => logger.error({ err }, 'could not fsync the database: what was committed since may be lost'),
    onLaterError: (err) => logger.error({ err }, 'could not store a receipt WhatsApp sent'),
  });
  // First: credentials this process cannot open stop the start before anything else runs.
  let saved: SavedCredentials;
  try {
    saved = openSavedCredentials(db, options.credentialKey);
  } catch (error) {
    await commits.close();
    db.close();
    throw error;
  }
  const events = createEventBus();
  const stopSettledCollection = collectWhenSettled({
    events,
    collect: lowMemoryCollection(),
    logger: logger.child({ part: 'memory' }),
  });
  // Before anything can emit: every event from here on is logged for GET /events and the webhooks.
  const eventLog = createEventLog({ db, events, logger: logger.child({ part: 'events' }) });
  const webhooks = createWebhookStore(db, Date.now, commits.unpromised);
  const webhooksChanged = () => events.emit('webhooks.changed');
  webhooks.onChange(webhooksChanged);
  const dispatcher = createWebhookDispatcher({
    store: webhooks,
    eventLog,
    logger: logger.child({ part: 'webhooks' }),
    onActivity: webhooksChanged,
  });
  const keys = createApiKeyStore(db, { onUse: () => events.emit('keys.changed') });
  const admin = createAdminSessions(db);
  // Each status change and its event land in one commit.
  const messages = createMessageStore(db, eventLog, commits.unpromised, commits.later);
  // Beside the database: a sandbox's media never mixes with the real account's.
  const mediaFiles = createMediaFiles(join(databaseFile(config), '..', 'media'));
  mediaFiles.clearIncoming();
  const target = await connectTarget(config, logger);
  const sweep = () => sweepMedia({ files: mediaFiles, messages, config: config.media }, Math.floor(Date.now() / 1000));
  sweep();
  const sweeper = setInterval(sweep, 6 * 3_600_000);
  sweeper.unref();
  // --sandbox asked for the simulator and its banner says so; a --wa-url to a simulator is worth a warning.
  if (target.kind === 'sandbox') logger.info({ waUrl: target.waUrl }, 'Sandbox mode: connected to the simulator');
  if (target.kind === 'simulator')
    logger.warn({ waUrl: target.waUrl }, 'NOT talking to WhatsApp: connected to a simulator');

  const lids = createLidMappings(db);
  const memberReceipts = createMemberReceipts(db);
  const reconnects = createReconnectLog(db);
  // The session and received media exist from here on for every part; what needs Baileys loads at session.start().
  const { session, inboundMedia } = deferWhatsApp({
    load: () =>
      loadWhatsApp({
        config,
        target,
        saved,
        durable: () => commits.durable(),
        logger,
        events,
        messages,
        lids,
        reconnects,
        memberReceipts,
        mediaFiles,
      }),
    reconnects,
    events,
    logger,
  });
  const clock = options.clock ?? systemClock;
  const pacingHistory = createPacingHistory(db);
  // Yesterday's sends still count: the limits hold across a restart.
  const pacer = createPacer({
    policy: config.pacing,
    clock,
    history: pacingHistory.sentSince(clock.now() - 24 * 3_600_000),
    onChange: (state) => events.emit('pacing.changed', state),
    watched: () => events.listenerCount('pacing.changed') > 0,
  });
  const directory = createContactDirectory({ usync: session.usync, knownPnOf: session.knownPnOf, lids });
  // Another account may see other people: nothing learnt under the old one is kept.
  events.on('session.state', (s) => s.state === 'logged_out' && directory.forget());
  const groups = createGroupDirectory({ session, lids });
  const outbox = createOutboxStore(db, messages, clock.now, eventLog, commits.unpromised);
  const worker = createOutboxWorker({
    session,
    directory,
    outbox,
    messages,
    events,
    typing: config.typing,
    config: config.outbox,
    clock,
    logger: logger.child({ part: 'outbox' }),
    pacer,
    isNewChat: (chatJid) => !pacingHistory.hasWrittenToUs(chatJid),
  });
  const sender = createSender({
    session,
    directory,
    groups,
    lids,
    messages,
    outbox,
    worker,
    events,
    config: config.outbox,
    clock,
    logger: logger.child({ part: 'sender' }),
    pacer,
  });
  let url = '';
  const app = createHttpApp({
    version: VERSION,
    commits,
    hosts: { names: allowedHostnames(config.host), allowIpLiterals: WILDCARD_HOSTS.has(config.host) },
    apiUrl: () => url,
    logger,
    events,
    keys,
    admin,
    messages,
    lids,
    directory,
    groups,
    memberReceipts,
    idempotency: createIdempotencyStore(db),
    eventLog,
    webhooks,
    session,
    sender,
    mediaFiles,
    inboundMedia,
    media: config.media,
    actions: createMessageActions({ messages, lids, clock }),
    pacing: { pacer, save: (policy) => saveConfigPart(config.dataDir, 'pacing', policy) },
    sandbox: target.sandbox,
    whatsappServer: target.kind,
    credentialStorage,
    dashboardDir: options.dashboardDir ?? DEFAULT_DASHBOARD_DIR,
    limits: config.limits,
  });
  if (!isLoopbackHost(config.host))
    logger.warn({ host: config.host }, 'listening beyond this computer: anyone on the network can reach the API');

  const { server, drain } = createHttpServer(app, config.limits);
  let port: number;
  try {
    port = await listen(server, config.host, config.port);
  } catch (error) {
    await target.sandbox?.close();
    await commits.close();
    db.close();
    throw error;
  }
  url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  writeFileSync(serverInfoFile(config), JSON.stringify({ url, pid: process.pid }), { mode: FILE_MODE });
  dispatcher.start();
  worker.start();
  let stopping: Promise<void> | null = null;
  // Not awaited: the port answers (`starting`) while Baileys loads and the session starts; stop() waits for it. A stop
  // that comes first leaves WhatsApp unstarted.
  void firstAnswer(server, options.firstAnswerWaitMs ?? FIRST_ANSWER_WAIT_MS).then(() => stopping ?? session.start());

  /**
   * In this order: the HTTP layer stops taking requests and lets those in flight finish (a send under way is
   * answered); then the port closes and the sends still waiting for an ack are answered 202; then WhatsApp closes, which fails whatever is still waiting on it; then the last answers go out and
   * the connections close; then the stores. A part that must finish its own work first (an outbox) goes after drain.
   */
  async function stopOnce(): Promise<void> {
    await drain.drain(config.limits.drainMs);
    // Sends still waiting for WhatsApp are in the outbox: they are answered 202 pending, and those answers go out. The
    // port closes first, so a client that sends again at once is refused, not taken in and cut by the close.
    drain.stopListening();
    sender.stop();
    await drain.drain(config.limits.drainMs);
    // The outbox takes no new turn; what is in flight ends with the socket and is sent again at the next start.
    const workerStopped = worker.stop();
    await session.stop();
    await workerStopped;
    await drain.close();
    await dispatcher.stop();
    clearInterval(sweeper);
    stopSettledCollection();
    eventLog.close();
    await target.sandbox?.close();
    rmSync(serverInfoFile(config), { force: true });
    await commits.close();
    // The last connection: SQLite copies the WAL into the database file, fsyncing both, before it closes.
    db.close();
  }
  // A second SIGTERM, or the desktop app's quit after a failure, waits for the same stop.
  const stop = (): Promise<void> => (stopping ??= stopOnce());

  return {
    url,
    events,
    session,
    sender,
    pacer,
    keys,
    admin,
    messages,
    sandbox: target.sandbox,
    credentialStorage,
    eventLog,
    webhooks,
    stop,
  };
}
