import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventBus, type CoreEvents } from '../../server/events.ts';
import { silentLogger } from '../../server/logger.ts';
import { openDatabase, type Database } from '../../server/store/database.ts';
import { createSqliteAuthState, type SqliteAuthState } from '../../server/store/auth-state.ts';
import { createMessageStore, type MessageStore } from '../../server/store/messages.ts';
import { startSimulator, type Simulator } from '../../server/sandbox/simulator.ts';
import { trustSimulatorRoot } from '../../server/whatsapp/trust-root.ts';
import { createSession, type Recipient, type Session } from '../../server/whatsapp/session.ts';
import { createLidMappings, type LidMappings } from '../../server/store/lid-mappings.ts';
import { createReconnectLog } from '../../server/store/reconnect-log.ts';
import type { WatchdogConfig } from '../../server/whatsapp/watchdog.ts';
import { createContactDirectory, type ContactDirectory } from '../../server/whatsapp/contact-directory.ts';
import { silenceLibsignal } from './baileys-client.ts';
import { jidOf } from './contacts.ts';
import { atEnd, type Scope } from './scope.ts';
import { waitForSession, waitForState } from './waits.ts';

/** A person addressed by phone number, as the session takes a recipient. */
export const to = (number: string): Recipient => ({ chat_jid: jidOf(number), chat_lid: null, address: jidOf(number) });

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
  /** Stops the session and builds a new one on the same database file, as a process restart would. */
  restart(): Promise<void>;
}

/** A session below the core: the parts the sender and the session tests assemble themselves. Ends with `scope`. */
export interface WorldOptions {
  /** The session's dead-stream watchdog; its default (20 s + 10 s) is too slow for a test. */
  watchdog?: WatchdogConfig;
}

export async function startWorld(scope: Scope, options: WorldOptions = {}): Promise<World> {
  silenceLibsignal();
  const dir = mkdtempSync(join(tmpdir(), 'wagate-session-'));
  const sim = await startSimulator({ dataDir: join(dir, 'sandbox'), port: 0, logger: silentLogger() });
  trustSimulatorRoot(sim.rootPublicKey);
  const build = () => {
    const db = openDatabase(join(dir, 'wagate.db'));
    const auth = createSqliteAuthState(db);
    const messages = createMessageStore(db);
    const lids = createLidMappings(db);
    const events = createEventBus();
    const session = createSession({
      auth,
      messages,
      lids,
      reconnects: createReconnectLog(db),
      events,
      logger: silentLogger(),
      watchdog: options.watchdog,
      waUrl: sim.wsUrl,
      backoff: { baseMs: 200, maxMs: 2000 },
    });
    const directory = createContactDirectory({ usync: session.usync, knownPnOf: session.knownPnOf, lids });
    return { db, auth, messages, lids, events, session, directory };
  };
  const world: World = {
    sim,
    ...build(),
    async restart() {
      await world.session.stop();
      world.db.close();
      Object.assign(world, build());
    },
  };
  atEnd(scope, async () => {
    await world.session.stop();
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
