import { open, type FileHandle } from 'node:fs/promises';
import {
  afterEachCommit,
  hasWaitingWrites,
  openDatabase,
  transaction,
  writeWithNext,
  type Database,
} from './database.ts';

/**
 * What "on disk" means for the core's connection to wagate.db (opened `grouped`: synchronous=NORMAL, no automatic
 * checkpoint). A COMMIT writes the WAL without an fsync; the fsync of the -wal file runs in libuv's pool, off the
 * event loop, and one fsync covers every commit made before it started (group commit: while one runs, later commits
 * wait for the next one). Whatever promises a commit to someone (a 2xx, Baileys' Signal keys) waits for `durable()`.
 * NOTES.md ("groupcommit") gives the argument, checkpoints and crashes included.
 */
export interface GroupCommit {
  /** Where the connection's writes stand now: `durable(mark)` waits for what was committed up to here. */
  mark(): number;
  /**
   * Where the writes an answer may promise stand: `mark()`, unless the latest commits were made in `unpromised`, then
   * where they began.
   */
  promised(): number;
  /**
   * Runs `work` as commits no answer promises: facts WhatsApp's server already holds (its ack, a receipt's status),
   * which a power cut that loses them brings back (the outbox sends again with the same id; NOTES.md, "sendpath").
   */
  unpromised: Unpromised;
  /**
   * Runs `work` as an unpromised commit that nobody is told of before it is made (a receipt's status: `then` emits
   * it): it rides in the connection's next transaction, whoever begins it, or in one of its own once the group window
   * has passed without one (then its fsync starts at once). So it is committed within the window and on disk within
   * the window and one fsync; a kill in the window loses it, told to no one. Once closing, at once.
   */
  later: Later;
  /** Resolves once every commit up to `mark` (by default, all so far) is on disk; rejects if the fsync failed. */
  durable(mark?: number): Promise<void>;
  /** Waits for the fsync and the checkpoint under way, and closes the files; the connections stay open. */
  close(): Promise<void>;
}

/** Runs commits no answer promises (`GroupCommit.unpromised`); without a group commit, just runs them. */
export type Unpromised = <T>(work: () => T) => T;
export const runPromised: Unpromised = (work) => work();

/** Runs a commit nobody is told of until it is made (`GroupCommit.later`); without a group commit, at once. */
export type Later = <T>(work: () => T, then: (result: T) => void) => void;
export const runNow: Later = (work, then) => then(work());

/** fsyncs one file; tests hold it to see what waits for the disk. */
export type FileSync = (path: string) => Promise<void>;

export interface GroupCommitDeps {
  /** The core's connection, opened `grouped`. */
  db: Database;
  file: string;
  /** Told once of each fsync or checkpoint that failed (those waiting for it also see it fail). */
  onError(error: unknown): void;
  /** Told of a `later` write that failed (or whose listener did); by default `onError`. */
  onLaterError?(error: unknown): void;
  sync?: FileSync;
}

/** Copy the WAL into the database once this many rows changed since the last copy (a few hundred messages). */
const CHECKPOINT_AFTER_CHANGES = 2_000;
/**
 * A WAL that never catches up (commits without a pause) is copied in line once it holds this many frames: SQLite's
 * own checkpoint, with its fsyncs on the event loop, as the one bounded stall (~64 MB with 4 KB pages).
 */
const WAL_FRAMES_CAP = 16_384;
/**
 * A commit nobody waits for starts its fsync after this long, unless a commit someone waits for (Baileys' key write,
 * an answer) starts one sooner that covers it: that one then runs at once instead of queuing behind it.
 */
const GROUP_WINDOW_MS = 20;

/** fdatasync through one handle per file, kept open: SQLite never replaces the -wal while a connection has it open. */
function fileSyncer(): FileSync & { close(): Promise<void> } {
  const handles = new Map<string, Promise<FileHandle>>();
  const sync = async (path: string) => {
    let handle = handles.get(path);
    if (!handle) handles.set(path, (handle = open(path, 'r+')));
    try {
      await (await handle).datasync();
    } catch (error) {
      handles.delete(path);
      throw error;
    }
  };
  const close = async () => {
    const all = [...handles.values()];
    handles.clear();
    await Promise.all(all.map(async (h) => (await h.catch(() => null))?.close()));
  };
  return Object.assign(sync, { close });
}

export function createGroupCommit(deps: GroupCommitDeps): GroupCommit {
  const { db, file, onError, sync: injected } = deps;
  const onLaterError = deps.onLaterError ?? onError;
  const ownSync = fileSyncer();
  const sync = injected ?? ownSync;
  const wal = `${file}-wal`;
  // Read a few times per commit: as an array, the row costs a third of an object's.
  const changes = db.prepare('SELECT total_changes()');
  changes.setReturnArrays(true);
  const mark = () => (changes.get() as unknown as [number])[0];
  /** Nothing is known to be on disk until the first fsync: a killed process may have left unsynced commits. */
  let synced = -1;
  let inFlight: { upTo: number; done: Promise<void> } | null = null;
  let next: Promise<void> | null = null;

  function start(): Promise<void> {
    const upTo = mark();
    const done = sync(wal)
      .then(() => {
        synced = Math.max(synced, upTo);
      })
      .finally(() => {
        if (inFlight?.done === done) inFlight = null;
        checkpointIfDue();
      });
    done.catch(onError);
    inFlight = { upTo, done };
    return done;
  }

  function durable(upTo = mark()): Promise<void> {
    if (synced >= upTo) return Promise.resolve();
    if (next) return next;
    if (!inFlight) return start();
    if (inFlight.upTo >= upTo) return inFlight.done;
    // The fsync under way may have started before this commit: the next one, shared by every commit made meanwhile.
    return (next = inFlight.done
      .catch(() => undefined)
      .then(() => {
        next = null;
        return start();
      }));
  }

  // Even a commit nobody waits for (a receipt's status) is on disk soon: within the window and one fsync. Once closing,
  // none: the connection closes next, and SQLite's own checkpoint at that close fsyncs what is left.
  let windowTimer: NodeJS.Timeout | null = null;
  let closing: Promise<void> | null = null;
  function syncWithinWindow(): void {
    if (windowTimer || closing) return;
    windowTimer = setTimeout(() => {
      windowTimer = null;
      durable().catch(() => undefined); // told by start()
    }, GROUP_WINDOW_MS);
  }
  afterEachCommit(db, syncWithinWindow);

  /** The last run of `unpromised` commits with nothing committed between them: marks from..to. */
  let unpromisedRun = { from: -1, to: -1 };
  /** Inside `unpromised` work: a nested call (the ack's status change) is part of the outer run. */
  let inUnpromised = false;
  function unpromised<T>(work: () => T): T {
    if (inUnpromised) return work();
    const now = mark();
    const from = now === unpromisedRun.to ? unpromisedRun.from : now;
    inUnpromised = true;
    try {
      return work();
    } finally {
      inUnpromised = false;
      unpromisedRun = { from, to: mark() };
    }
  }

  /** Set while writes wait (`later`): their own commit when the window ends, if no other transaction carried them. */
  let laterTimer: NodeJS.Timeout | null = null;
  function commitWaiting(): void {
    if (laterTimer) clearTimeout(laterTimer);
    laterTimer = null;
    if (!hasWaitingWrites(db)) return;
    try {
      unpromised(() => transaction(db, () => undefined));
    } catch (error) {
      onLaterError(error); // they wait on, for the next transaction
      return;
    }
    durable().catch(() => undefined); // told by start()
  }
  function later<T>(work: () => T, then: (result: T) => void): void {
    if (closing) return then(unpromised(() => transaction(db, work)));
    // The window counts from the first write that waits (a timer left from writes already carried is not theirs).
    if (!hasWaitingWrites(db) && laterTimer) {
      clearTimeout(laterTimer);
      laterTimer = null;
    }
    writeWithNext(db, work, then, onLaterError);
    laterTimer ??= setTimeout(commitWaiting, GROUP_WINDOW_MS);
  }

  const checkpoints = createCheckpoints({ db, file, durable, mark, sync });
  let checkpointing: Promise<void> | null = null;
  let checkpointedAt = 0;
  function checkpointIfDue(): void {
    if (closing || checkpointing) return;
    const now = mark();
    if (now - checkpointedAt < CHECKPOINT_AFTER_CHANGES) return;
    checkpointedAt = now;
    checkpointing = checkpoints
      .run()
      .catch(onError)
      .finally(() => (checkpointing = null));
  }

  return {
    mark,
    promised: () => {
      const now = mark();
      return now === unpromisedRun.to ? unpromisedRun.from : now;
    },
    unpromised,
    later,
    durable,
    close() {
      closing ??= (async () => {
        commitWaiting();
        if (windowTimer) {
          clearTimeout(windowTimer);
          windowTimer = null;
          await durable().catch(() => undefined);
        }
        await Promise.allSettled([inFlight?.done, next, checkpointing]);
        checkpoints.close();
        await ownSync.close();
      })();
      return closing;
    },
  };
}

interface CheckpointDeps {
  db: Database;
  file: string;
  durable(mark?: number): Promise<void>;
  mark(): number;
  sync: FileSync;
}

/**
 * Copies the WAL into the database file with every fsync off the event loop. SQLite's checkpoint fsyncs the WAL before
 * copying (the copy must never hold a page whose WAL frame could be lost) and the database after (before the WAL may
 * restart over frames that are copied). Here: a read transaction on `pin` holds a snapshot, which also stops the WAL
 * from restarting and the copy from going past it; the WAL is fsynced (covers the snapshot); `copier`
 * (synchronous=OFF, so no fsync of its own) copies up to the snapshot; the database file is fsynced; then the pin lets
 * go, and the next commit may restart the WAL (SQLite fsyncs the new WAL header there: one fsync per WAL cycle on the
 * loop, which keeps an out-of-order write after the restart from reviving old frames).
 */
function createCheckpoints({ db, file, durable, mark, sync }: CheckpointDeps) {
  const inLine = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  /** Opened at the first checkpoint (a few hundred messages in), not at start: an idle core never needs them. */
  let connections: ReturnType<typeof openConnections> | null = null;
  function openConnections() {
    const pin = openDatabase(file, 'grouped');
    const copier = openDatabase(file, 'grouped');
    copier.exec('PRAGMA synchronous = OFF');
    return {
      pin,
      copier,
      snapshot: pin.prepare('SELECT COUNT(*) FROM sqlite_schema'),
      copy: copier.prepare('PRAGMA wal_checkpoint(PASSIVE)'),
    };
  }

  /** Set when the database file's fsync failed after a copy: the pin stays, so the WAL never restarts over it. */
  let stuck = false;

  async function run(): Promise<void> {
    if (stuck) return;
    const { pin, snapshot, copy } = (connections ??= openConnections());
    pin.exec('BEGIN');
    let copied = false;
    let frames: { log: number };
    try {
      snapshot.get();
      await durable(mark());
      frames = copy.get() as { log: number };
      copied = true;
      await sync(file);
    } catch (error) {
      if (copied) stuck = true;
      else pin.exec('COMMIT');
      throw error;
    }
    pin.exec('COMMIT');
    // Commits that never paused kept the WAL from restarting: SQLite's own checkpoint, in line, catches it up.
    if (frames.log >= WAL_FRAMES_CAP) inLine.get();
  }

  return {
    run,
    close() {
      connections?.pin.close();
      connections?.copier.close();
    },
  };
}
