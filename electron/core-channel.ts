import type { Config } from '../server/config.ts';
import type { CredentialStorage } from '../server/contract/desktop.ts';
import type { SessionSnapshot } from '../server/contract/session.ts';

/**
 * The messages between the desktop app's main process and the core's utility process (electron/core-process.ts), both
 * ways, over Electron's parentPort. Both processes are WaGate's own; the channel lives in memory, so the credentials'
 * key goes over it and never on a command line or in an environment another process can read.
 */

/** Main process → core. */
export type CoreRequest =
  /** Before a start: forget the saved WhatsApp link of `config`'s data folder (the user chose to link again). */
  | { type: 'forget-link'; config: Config }
  /** Start the core once; only the main process can ask the OS keyring (safeStorage), so the key comes from it. */
  | {
      type: 'start';
      config: Config;
      /** 32 bytes that seal the WhatsApp credentials; null: none (folder permissions only). */
      credentialKey: Uint8Array | null;
      credentialStorage: CredentialStorage;
      dashboardDir: string;
    }
  /** Stop gracefully (the HTTP server, WhatsApp, every pending write), then exit. */
  | { type: 'stop' };

/** Why a start failed, for what the main process does next. */
export type StartFailure =
  /** The port is taken: the main process offers another one. */
  | 'port_in_use'
  /** The saved credentials cannot be opened: the user may forget them and link again. */
  | 'credentials'
  | 'other';

/** The core's messages: the answers to the requests, and the events the tray follows. */
export type CoreMessage =
  | { type: 'link-forgotten' }
  | {
      type: 'started';
      url: string;
      version: string;
      credentialStorage: CredentialStorage;
      session: SessionSnapshot;
      pacing: PacingSummary;
      /** The window's admin session, made for this start; the core ends it when it stops. */
      dashboardLogin: DashboardLogin;
    }
  | { type: 'start-failed'; failure: StartFailure; message: string }
  /** Every 'session.state' of the core. */
  | { type: 'session'; snapshot: SessionSnapshot }
  /** When what pacing holds back changes (not on every send it counts). */
  | { type: 'pacing'; pacing: PacingSummary };

export interface DashboardLogin {
  cookieName: string;
  value: string;
}

/** What the tray says of pacing: how many messages it holds back, and when the first may leave. */
export interface PacingSummary {
  waiting: number;
  /** Unix seconds; null when nothing waits or the policy lets none of them leave for now. */
  next_at: number | null;
}

/** The utility process's name in Electron's process metrics and crash reports. */
export const CORE_SERVICE_NAME = 'WaGate core';

/** A start the core refused (its 'start-failed' message), as the main process throws it. */
export class CoreStartError extends Error {
  readonly failure: StartFailure;
  /** EADDRINUSE for a taken port, which is what electron/port-fallback.ts looks for. */
  readonly code: string | undefined;
  constructor(failure: StartFailure, message: string) {
    super(message);
    this.failure = failure;
    this.code = failure === 'port_in_use' ? 'EADDRINUSE' : undefined;
  }
}
