import type { PacingState } from '../server/contract/pacing.ts';
import { cannotOpenCredentials, forgetWhatsAppLink, startCore, VERSION, type Core } from '../server/core.ts';
import { createLogger, type Logger } from '../server/logger.ts';
import type { CoreMessage, CoreRequest, PacingSummary, StartFailure } from './core-channel.ts';

/** What the core needs of Electron's `process.parentPort`: messages arrive wrapped, as `{ data }`. */
export interface ParentChannel {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: CoreMessage): void;
}

export function startFailureOf(error: unknown): StartFailure {
  if (cannotOpenCredentials(error)) return 'credentials';
  if (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EADDRINUSE')
    return 'port_in_use';
  return 'other';
}

export function pacingSummary(state: PacingState): PacingSummary {
  const times = state.waiting.flatMap((message) => (message.until === null ? [] : [message.until]));
  return { waiting: state.waiting.length, next_at: times.length > 0 ? Math.min(...times) : null };
}

/**
 * The core as the desktop app runs it, in its utility process: forget-link and start requests, then the session and
 * pacing on the channel, and a graceful stop (on request or on SIGTERM) before `exit`. A second SIGTERM during the
 * stop exits at once: that is the main process giving up on a stop that hangs.
 */
export function serveCore(parent: ParentChannel, exit: (code: number) => void): void {
  let core: Promise<Core | null> | null = null;
  /** The window's admin session: ended when the core stops, so quitting leaves no live session behind. */
  let login: string | null = null;
  let logger: Logger | null = null;
  let stopping: Promise<void> | null = null;
  const post = (message: CoreMessage) => parent.postMessage(message);

  async function start(request: Extract<CoreRequest, { type: 'start' }>): Promise<Core | null> {
    const key = request.credentialKey;
    logger = createLogger(request.config.logLevel);
    try {
      const started = await startCore(request.config, {
        logger,
        dashboardDir: request.dashboardDir,
        // A view of the received bytes, not another copy of the key.
        credentialKey: key ? Buffer.from(key.buffer, key.byteOffset, key.byteLength) : undefined,
        credentialStorage: request.credentialStorage,
      });
      announce(started);
      return started;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      post({ type: 'start-failed', failure: startFailureOf(error), message });
      return null;
    }
  }

  function announce(started: Core): void {
    login = started.admin.createSession();
    let pacing = pacingSummary(started.pacer.state());
    started.events.on('session.state', (snapshot) => post({ type: 'session', snapshot }));
    started.events.on('pacing.changed', (state) => {
      const next = pacingSummary(state);
      if (next.waiting === pacing.waiting && next.next_at === pacing.next_at) return;
      pacing = next;
      post({ type: 'pacing', pacing });
    });
    post({
      type: 'started',
      url: started.url,
      version: VERSION,
      credentialStorage: started.credentialStorage,
      session: started.session.snapshot(),
      pacing,
      dashboardLogin: { cookieName: started.admin.cookieName, value: login },
    });
  }

  function stop(): Promise<void> {
    stopping ??= (async () => {
      let code = 0;
      try {
        const running = await core;
        if (running && login) running.admin.endSession(login);
        await running?.stop();
      } catch (error) {
        logger?.error({ err: error }, 'stopping WaGate failed');
        code = 1;
      }
      exit(code);
    })();
    return stopping;
  }

  parent.on('message', ({ data }) => {
    const request = data as CoreRequest;
    if (request.type === 'stop') void stop();
    else if (stopping || core) return;
    else if (request.type === 'forget-link') {
      forgetWhatsAppLink(request.config);
      post({ type: 'link-forgotten' });
    } else core = start(request);
  });
  process.on('SIGTERM', () => (stopping ? exit(1) : void stop()));
  // Ctrl+C in the terminal that started the app reaches this process too: the main process asks for the stop.
  process.on('SIGINT', () => undefined);
}
