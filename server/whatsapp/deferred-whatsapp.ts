import { ApiError } from '../api-error.ts';
import type { CoreEvents } from '../events.ts';
import type { Logger } from '../logger.ts';
import type { SessionSnapshot } from '../contract/session.ts';
import type { ReconnectLog } from '../store/reconnect-log.ts';
import type { InboundMedia } from './inbound-media.ts';
import type { Session } from './session.ts';
import { firstSnapshot } from './session-snapshot.ts';

/** What needs Baileys: the session, and received media (Baileys decrypts the downloads). */
export interface WhatsAppParts {
  session: Session;
  inboundMedia: InboundMedia;
}

export interface DeferredWhatsApp {
  /** The session from the first moment: `starting` until the real one has loaded, then the real one's answers. */
  session: Session;
  inboundMedia: Pick<InboundMedia, 'file'>;
}

const NOT_CONNECTED = () => new ApiError(503, 'WhatsApp is not connected');

/**
 * WhatsApp's side of WaGate as the other parts see it before Baileys has loaded. Loading Baileys is a third of a
 * start's CPU, so the core opens its port first and calls `session.start()` after: that loads and starts the real
 * session. Until then the state is `starting` and whatever needs the session waits for it, then asks it, so a request
 * made meanwhile is answered as one made while the session starts.
 */
export function deferWhatsApp(deps: {
  load: () => Promise<WhatsAppParts>;
  reconnects: ReconnectLog;
  events: CoreEvents;
  logger: Logger;
}): DeferredWhatsApp {
  const loaded = Promise.withResolvers<WhatsAppParts | null>();
  let parts: WhatsAppParts | null = null;
  let starting: Promise<void> | null = null;
  let stopped = false;
  let waiting: SessionSnapshot = firstSnapshot('starting', deps.reconnects);

  /** The real parts, or a 503 when they will never be there (the load failed, or the core stopped first). */
  async function ready(): Promise<WhatsAppParts> {
    const found = await loaded.promise;
    if (!found) throw NOT_CONNECTED();
    return found;
  }

  function failed(error: unknown): void {
    deps.logger.error({ err: error }, 'WhatsApp could not be started');
    waiting = {
      ...waiting,
      state: 'stopped',
      last_error: `WhatsApp could not be started: ${(error as Error).message}`,
    };
    deps.events.emit('session.state', { ...waiting });
    loaded.resolve(null);
  }

  async function load(): Promise<void> {
    try {
      const found = await deps.load();
      if (!stopped) await found.session.start();
      parts = found;
      loaded.resolve(found);
    } catch (error) {
      failed(error);
    }
  }

  const session: Session = {
    // A start after a stop (a restart of the session alone) starts the loaded session again.
    start() {
      stopped = false;
      if (parts) return parts.session.start();
      return (starting ??= load());
    },
    async stop() {
      stopped = true;
      if (!starting) loaded.resolve(null);
      await starting;
      await parts?.session.stop();
      waiting = { ...waiting, state: 'stopped' };
    },
    snapshot: () => parts?.session.snapshot() ?? { ...waiting },
    logout: async () => (await ready()).session.logout(),
    requestPairingCode: async (phoneNumber) => (await ready()).session.requestPairingCode(phoneNumber),
    usync: async (query) => (await ready()).session.usync(query),
    knownPnOf: async (lid) => (await ready()).session.knownPnOf(lid),
    groupsParticipating: async () => (await ready()).session.groupsParticipating(),
    groupMetadata: async (jid) => (await ready()).session.groupMetadata(jid),
    newMessageId: async () => (await loaded.promise)?.session.newMessageId() ?? null,
    send: async (to, content, options) => (await ready()).session.send(to, content, options),
    sendPresence: async (kind, jid) => (await ready()).session.sendPresence(kind, jid),
  };
  return { session, inboundMedia: { file: async (messageId) => (await ready()).inboundMedia.file(messageId) } };
}
