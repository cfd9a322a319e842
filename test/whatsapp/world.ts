import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventBus, type CoreEvents, type CoreEventMap } from '../../server/events.ts';
import { silentLogger } from '../../server/logger.ts';
import { openDatabase, type Database } from '../../server/store/database.ts';
import { createSqliteAuthState, type SqliteAuthState } from '../../server/store/auth-state.ts';
import { createMessageStore, type MessageStore } from '../../server/store/messages.ts';
import { startSimulator, type Simulator } from '../../server/sandbox/simulator.ts';
import { trustSimulatorRoot } from '../../server/whatsapp/trust-root.ts';
import { createSession, type Session } from '../../server/whatsapp/session.ts';
import { silenceLibsignal } from '../sandbox/baileys-client.ts';
import { waitForSession, waitForState } from '../support/waits.ts';

export const ALICE = '15550001111';
export const BOB = '15550002222';
export const CAROL = '15550003333'; // a sandbox contact who is not on WhatsApp
export const jidOf = (number: string) => `${number}@s.whatsapp.net`;

/** One WaGate session (the real Baileys) against one simulator, on a real SQLite file in a temp dir. */
export interface World {
  sim: Simulator;
  db: Database;
  auth: SqliteAuthState;
  messages: MessageStore;
  events: CoreEvents;
  session: Session;
  /** Stops the session and builds a new one on the same database file, as a process restart would. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  silenceLibsignal();
  const dir = mkdtempSync(join(tmpdir(), 'wagate-session-'));
  const sim = await startSimulator({ dataDir: join(dir, 'sandbox'), port: 0, logger: silentLogger() });
  trustSimulatorRoot(sim.rootPublicKey);
  const build = () => {
    const db = openDatabase(join(dir, 'wagate.db'));
    const auth = createSqliteAuthState(db);
    const messages = createMessageStore(db);
    const events = createEventBus();
    const session = createSession({
      auth,
      messages,
      events,
      logger: silentLogger(),
      waUrl: sim.wsUrl,
      backoff: { baseMs: 200, maxMs: 2000 },
    });
    return { db, auth, messages, events, session };
  };
  const world: World = {
    sim,
    ...build(),
    async restart() {
      await world.session.stop();
      world.db.close();
      Object.assign(world, build());
    },
    async close() {
      await world.session.stop();
      await sim.close();
      world.db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** The next `name` event whose arguments pass `test`; rejects after `timeoutMs`. */
export function waitForEvent<K extends keyof CoreEventMap>(
  world: World,
  name: K,
  test: (...args: CoreEventMap[K]) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<CoreEventMap[K]> {
  const events = world.events;
  return new Promise((resolve, reject) => {
    const listener = (...args: CoreEventMap[K]) => {
      if (!test(...args)) return;
      clearTimeout(timer);
      events.off(name, listener as never);
      resolve(args);
    };
    const timer = setTimeout(() => {
      events.off(name, listener as never);
      reject(new Error(`timed out waiting for ${what}; session is ${JSON.stringify(world.session.snapshot())}`));
    }, timeoutMs);
    events.on(name, listener as never);
  });
}

/** Pairs as a user would: the virtual phone scans the QR the session shows. */
export async function pair(world: World): Promise<void> {
  await world.session.start();
  const { qr } = await waitForSession(world, (s) => s.state === 'qr' && s.qr !== null, 'a QR');
  await world.sim.scan(qr!);
  await waitForState(world, 'connected');
}
