import { createPacer } from '../../server/whatsapp/pacing.ts';
import { PACING_OFF } from './core.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventBus, type CoreEvents } from '../../server/events.ts';
import { OutboxConfigSchema, TypingConfigSchema, type TypingConfig } from '../../server/config.ts';
import { systemClock } from '../../server/clock.ts';
import { silentLogger } from '../../server/logger.ts';
import { openDatabase, type Database } from '../../server/store/database.ts';
import { createSqliteAuthState, type SqliteAuthState } from '../../server/store/auth-state.ts';
import { openSavedCredentials } from '../../server/store/saved-credentials.ts';
import { createMessageStore, type MessageStore } from '../../server/store/messages.ts';
import { createMediaFiles } from '../../server/store/media-files.ts';
import { createOutboxStore, type OutboxStore } from '../../server/store/outbox.ts';
import { createLidMappings, type LidMappings } from '../../server/store/lid-mappings.ts';
import { startSimulator, type Simulator } from '../../server/sandbox/simulator.ts';
import { trustSimulatorRoot } from '../../server/whatsapp/trust-root.ts';
import { createReconnectLog } from '../../server/store/reconnect-log.ts';
import type { WatchdogConfig } from '../../server/whatsapp/watchdog.ts';
import { createSession, type Session } from '../../server/whatsapp/session.ts';
import { createContactDirectory, type ContactDirectory } from '../../server/whatsapp/contact-directory.ts';
import { createGroupDirectory, type GroupDirectory } from '../../server/whatsapp/group-directory.ts';
import { createMemberReceipts } from '../../server/store/member-receipts.ts';
import { createOutboxWorker, type OutboxWorker, type OutboxWorkerDeps } from '../../server/whatsapp/outbox-worker.ts';
import { createSender, type Sender, type SendRequest } from '../../server/whatsapp/sender.ts';
import { silenceLibsignal } from './baileys-client.ts';
import { atEnd, type Scope } from './scope.ts';
import { waitForSession, waitForState } from './waits.ts';
import type { StoredMessage } from '../../server/contract/messages.ts';

/** One WaGate session (the real Baileys) against one simulator, on a real SQLite file in a temp dir. */
export interface World {
  sim: Simulator;
  db: Database;
  auth: SqliteAuthState;
  messages: MessageStore;
  lids: LidMappings;
  events: CoreEvents;
  session: Session;
  directory: ContactDirectory;
  groups: GroupDirectory;
  outbox: OutboxStore;
  /** The send path over the session: the outbox, its worker, the sender. */
  sender: Sender;
  /** Sends a plain text (no typing, no presence) through the sender; the message as stored once the server acked it. */
  send(jid: string, text: string, replyTo?: string): Promise<StoredMessage>;
  /** Stops the session and builds a new one on the same database file, as a process restart would. */
  restart(): Promise<void>;
}

/** Typing as quick as can be, unless a test asks for its own. */
const QUICK_TYPING = TypingConfigSchema.parse({ min_ms: 0, max_ms: 0 });

export interface WorldOptions {
  /** The session's dead-stream watchdog; its default (20 s + 10 s) is too slow for a test. */
  watchdog?: WatchdogConfig;
  /** Typing before each message; as quick as can be by default. */
  typing?: TypingConfig;
  /** The session as the outbox worker sees it: a test may hold its answers back to force an order. */
  workerSession?: (session: Session) => OutboxWorkerDeps['session'];
}

/** A session below the core: the parts the sender and the session tests assemble themselves. Ends with `scope`. */
export async function startWorld(scope: Scope, options: WorldOptions = {}): Promise<World> {
  silenceLibsignal();
  const dir = mkdtempSync(join(tmpdir(), 'wagate-session-'));
  const sim = await startSimulator({ dataDir: join(dir, 'sandbox'), port: 0, logger: silentLogger() });
  trustSimulatorRoot(sim.rootPublicKey);
  let worker: OutboxWorker;
  const build = () => {
    const db = openDatabase(join(dir, 'wagate.db'));
    const auth = createSqliteAuthState(openSavedCredentials(db));
    const messages = createMessageStore(db);
    const lids = createLidMappings(db);
    const events = createEventBus();
    const session = createSession({
      auth,
      messages,
      lids,
      events,
      logger: silentLogger(),
      waUrl: sim.wsUrl,
      mediaRootCert: sim.mediaRootCert,
      mediaFiles: createMediaFiles(join(dir, 'media')),
      backoff: { baseMs: 200, maxMs: 2000 },
      reconnects: createReconnectLog(db),
      memberReceipts: createMemberReceipts(db),
      watchdog: options.watchdog,
      ackTimeoutMs: 10_000,
    });
    const directory = createContactDirectory({ usync: session.usync, knownPnOf: session.knownPnOf, lids });
    const config = OutboxConfigSchema.parse({});
    const outbox = createOutboxStore(db, messages, systemClock.now);
    // Pacing has its own tests; here it would only slow the sends down.
    const pacer = createPacer({ policy: PACING_OFF, clock: systemClock });
    worker = createOutboxWorker({
      session: options.workerSession?.(session) ?? session,
      directory,
      outbox,
      messages,
      events,
      typing: options.typing ?? QUICK_TYPING,
      config,
      clock: systemClock,
      logger: silentLogger(),
      pacer,
      isNewChat: () => false,
    });
    worker.start();
    const groups = createGroupDirectory({ session, lids });
    const sender = createSender({
      session,
      directory,
      groups,
      lids,
      messages,
      outbox,
      worker,
      events,
      config,
      clock: systemClock,
      logger: silentLogger(),
      pacer,
    });
    return { db, auth, messages, lids, events, session, directory, groups, outbox, sender };
  };
  const stop = async () => {
    const stopped = worker.stop();
    await world.session.stop();
    await stopped;
  };
  const world: World = {
    sim,
    ...build(),
    async send(jid, text, replyTo) {
      const request: SendRequest = {
        chatJid: jid,
        content: { kind: 'text', text },
        replyToMessageId: replyTo,
        typingSimulation: false,
        presenceSimulation: false,
        async: false,
        sendAt: null,
      };
      const outcome = await world.sender.send(request);
      if (outcome.kind !== 'sent') throw new Error(`not acked: ${JSON.stringify(outcome)}`);
      return world.messages.get(outcome.result.message_id)!;
    },
    async restart() {
      await stop();
      world.db.close();
      Object.assign(world, build());
    },
  };
  atEnd(scope, async () => {
    await stop();
    await sim.close();
    world.db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return world;
}

/** A world whose session is linked: the virtual phone scanned the QR the session showed, as a user would. */
export async function startPairedWorld(scope: Scope, options: WorldOptions = {}): Promise<World> {
  const world = await startWorld(scope, options);
  await pair(world);
  return world;
}

/** Pairs as a user would: the virtual phone scans the QR the session shows. */
export async function pair(world: World): Promise<void> {
  await world.session.start();
  const { qr } = await waitForSession(world, (s) => s.state === 'qr' && s.qr !== null, 'a QR');
  await world.sim.scan(qr!);
  await waitForState(world, 'connected');
}
