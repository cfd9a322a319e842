import { EventEmitter } from 'node:events';
import { utilityProcess } from 'electron';
import type { Config } from '../server/config.ts';
import { coreEnvironment } from '../server/heap-policy.ts';
import { CORE_SERVICE_NAME, CoreStartError, type CoreMessage, type CoreRequest } from './core-channel.ts';

export type StartRequest = Omit<Extract<CoreRequest, { type: 'start' }>, 'type'>;
export type CoreStarted = Extract<CoreMessage, { type: 'started' }>;
type CoreEvent = Extract<CoreMessage, { type: 'session' | 'pacing' }>;

/** The core's utility process as the main process drives it: one start, the events that follow, one stop. */
export interface CoreHost {
  forgetLink(config: Config): Promise<void>;
  /** Takes the key: its bytes are zeroed here once they are on the channel. */
  start(request: StartRequest): Promise<CoreStarted>;
  on<T extends CoreEvent['type']>(type: T, listener: (message: Extract<CoreEvent, { type: T }>) => void): void;
  /** The process ended without being asked to stop: a crash, with its exit code. */
  onCrash(listener: (code: number) => void): void;
  /** Asks for the graceful stop and resolves with the exit code once the process is gone; kills it after `timeoutMs`. */
  stop(timeoutMs: number): Promise<number>;
  /** Resolves with the exit code when the process ends, for whatever reason. */
  readonly exited: Promise<number>;
}

/** Forks electron/core-process.ts (bundled to `modulePath`); its logs go to the app's own stdout and stderr. */
export function forkCore(modulePath: string): CoreHost {
  const child = utilityProcess.fork(modulePath, [], {
    serviceName: CORE_SERVICE_NAME,
    stdio: 'inherit',
    env: coreEnvironment(process.env),
  });
  const messages = new EventEmitter<{ message: [CoreMessage] }>();
  child.on('message', (message: CoreMessage) => messages.emit('message', message));
  let exitCode: number | null = null;
  let stopAsked = false;
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  const post = (request: CoreRequest) => child.postMessage(request);

  /** The core's answer of one of `types`; a process that ends first is an error. */
  function answer<T extends CoreMessage['type']>(...types: T[]): Promise<Extract<CoreMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const gone = (code: number) => reject(new Error(`WaGate's core stopped (exit code ${code}) before it answered`));
      if (exitCode !== null) return gone(exitCode);
      const onMessage = (message: CoreMessage) => {
        if (!(types as string[]).includes(message.type)) return;
        messages.off('message', onMessage);
        resolve(message as Extract<CoreMessage, { type: T }>);
      };
      messages.on('message', onMessage);
      void exited.then((code) => {
        messages.off('message', onMessage);
        gone(code);
      });
    });
  }

  return {
    exited,
    async forgetLink(config) {
      const done = answer('link-forgotten');
      post({ type: 'forget-link', config });
      await done;
    },
    async start(request) {
      const done = answer('started', 'start-failed');
      post({ type: 'start', ...request });
      request.credentialKey?.fill(0);
      const reply = await done;
      if (reply.type === 'start-failed') throw new CoreStartError(reply.failure, reply.message);
      return reply;
    },
    on(type, listener) {
      messages.on('message', (message) => message.type === type && listener(message as never));
    },
    onCrash(listener) {
      void exited.then((code) => stopAsked || listener(code));
    },
    stop(timeoutMs) {
      if (!stopAsked && exitCode === null) {
        stopAsked = true;
        post({ type: 'stop' });
        const timer = setTimeout(() => child.kill(), timeoutMs);
        void exited.then(() => clearTimeout(timer));
      }
      stopAsked = true;
      return exited;
    },
  };
}
