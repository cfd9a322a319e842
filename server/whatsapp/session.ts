import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import {
  Browsers,
  DisconnectReason,
  generateMessageIDV2,
  generateWAMessageContent,
  makeWASocket,
  jidNormalizedUser,
  S_WHATSAPP_NET,
} from '@whiskeysockets/baileys';
import type {
  BinaryNode,
  ConnectionState,
  GroupMetadata,
  LIDMapping,
  USyncQuery,
  USyncQueryResult,
  NewChatMessageCapInfo,
  WAMessage,
  WAMessageUpdate,
  WASocket,
  MessageUserReceiptUpdate,
} from '@whiskeysockets/baileys';
import type { Logger } from '../logger.ts';
import type { CoreEvents } from '../events.ts';
import type { MessageStore } from '../store/messages.ts';
import type { SqliteAuthState } from '../store/auth-state.ts';
import type { LidMappings } from '../store/lid-mappings.ts';
import { nowSeconds, unixSeconds } from '../contract/time.ts';
import type { ReconnectLog } from '../store/reconnect-log.ts';
import type { MemberReceipts } from '../store/member-receipts.ts';
import { startWatchdog, WatchdogConfigSchema, type WatchdogConfig } from './watchdog.ts';
import { ApiError } from '../api-error.ts';
import { DEFAULT_BACKOFF, decideOnClose, type BackoffConfig } from './reconnect-policy.ts';
import { closeReasonText, contentOf, quotedFor, rejectionReason } from './message-mapping.ts';
import { createInbound } from './inbound.ts';
import { createMessageUpdates } from './message-updates.ts';
import { createReceipts } from './receipts.ts';
import { createStandingTracker } from './account-standing.ts';
import { phoneOfJid } from './jid.ts';
import { quietLibsignal } from './libsignal-console.ts';
import { keepLateKeyWrites } from './late-key-writes.ts';
import { AckTimeoutError, listenForAcks, ServerRejectedError, type ServerAcks } from './server-acks.ts';
import type { StoredMessage } from '../contract/messages.ts';
import { isMediaContent, type MessageContent } from '../contract/message-content.ts';
import type { MediaFiles } from '../store/media-files.ts';
import type { InboundMedia } from './inbound-media.ts';
import { toBaileysContent } from './message-content.ts';
import type { LinkedAccount, SessionSnapshot } from '../contract/session.ts';
import { firstSnapshot, reconnectCounts } from './session-snapshot.ts';

export interface SessionDeps {
  auth: SqliteAuthState;
  messages: MessageStore;
  lids: LidMappings;
  reconnects: ReconnectLog;
  /** Each group member's delivered and read receipts. */
  memberReceipts: MemberReceipts;
  events: CoreEvents;
  logger: Logger;
  /** How a dead stream is detected; the default suits WhatsApp, tests shorten it. */
  watchdog?: WatchdogConfig;
  /** A WhatsApp simulator's WebSocket URL; null or absent means WhatsApp itself. */
  waUrl?: string | null;
  /** Received media: kept and downloaded into the data folder. */
  inboundMedia?: Pick<InboundMedia, 'keep'> | null;
  /** Where media messages' files are kept (the data folder). */
  mediaFiles: Pick<MediaFiles, 'outboundFile' | 'outboundThumbnail'>;
  /** A simulator's media root certificate (PEM), trusted for its media host only; never set for WhatsApp itself. */
  mediaRootCert?: string | null;
  /** Reconnect backoff; the default suits WhatsApp, tests may shorten it. */
  backoff?: BackoffConfig;
  /** How long a sent message may wait for the server's ack on an open connection before it is sent again. */
  ackTimeoutMs: number;
}

export interface SendOptions {
  /** The id the message is sent with, the same for every resend of it. */
  messageId: string;
  /** The message's own secret (a poll's), the same for every resend of it. */
  secret: Uint8Array | null;
  /** The message replied to (the caller has checked that it belongs to this chat). */
  quoted: StoredMessage | null;
  /** Group messages: the members the message @-mentions, as the group addresses them. */
  mentions?: string[];
}

/** Where a message goes: the chat it is stored under, and the address WhatsApp takes it at (a person's LID if known). */
export interface Recipient {
  chat_jid: string;
  chat_lid: string | null;
  address: string;
}

export type PresenceKind = 'available' | 'unavailable' | 'composing' | 'recording' | 'paused';

export interface Session {
  /** Connects (or resumes) in the background; progress shows in `snapshot()` and 'session.state' events. */
  start(): Promise<void>;
  /** Closes the socket cleanly and flushes the credentials. */
  stop(): Promise<void>;
  snapshot(): SessionSnapshot;
  /** Unlinks this device, wipes its credentials and offers a fresh QR. */
  logout(): Promise<void>;
  requestPairingCode(phoneNumber: string): Promise<string>;
  /** Runs a usync query (who is on WhatsApp, their LIDs and devices) on the connected socket. */
  usync(query: USyncQuery): Promise<USyncQueryResult | undefined>;
  /** A LID's phone-number JID as Baileys learnt it (history sync, message envelopes), if it did. */
  knownPnOf(lid: string): Promise<string | null>;
  /** The groups the phone is in (`w:g2` participating). */
  groupsParticipating(): Promise<Record<string, GroupMetadata>>;
  /** One group's metadata; rejects with WhatsApp's error code for a group that does not exist or the phone is not in. */
  groupMetadata(jid: string): Promise<GroupMetadata>;
  /** A new message id for this account, or null when no account is linked (known once the session has loaded). */
  newMessageId(): Promise<string | null>;
  /**
   * Sends a message of any kind and resolves when WhatsApp's server acks it, with the ack's time (unix seconds).
   * Rejects with a 503 when the connection closes first (the server may or may not have it), ServerRejectedError or
   * AckTimeoutError.
   */
  send(to: Recipient, content: MessageContent, options: SendOptions): Promise<number>;
  sendPresence(kind: PresenceKind, jid?: string): Promise<void>;
}

/** Baileys keeps the first QR of a connection for 60 s and each next one for 20 s. */
const FIRST_QR_MS = 60_000;
const NEXT_QR_MS = 20_000;
/**
 * Baileys waits 60 s for an answer by default, and a query in flight when the socket ends is only given up on at
 * that timeout; 20 s keeps an HTTP caller from waiting a minute on a dead connection.
 */
const QUERY_TIMEOUT_MS = 20_000;

/** A stream the watchdog found dead closes as Baileys' own keep-alive would: 408, connection lost. */
const DEAD_STREAM = 408;
const NOT_CONNECTED = () => new ApiError(503, 'WhatsApp is not connected');

/** Baileys logs a lot at info; WaGate shows its warnings unless our own logger asks for debug detail. */
function baileysLogger(logger: Logger): Logger {
  const verbose = logger.levelVal < 30;
  const quiet = logger.levelVal >= 40;
  return logger.child({ part: 'baileys' }, { level: verbose || quiet ? logger.level : 'warn' });
}

function statusCodeOf(error: unknown): number | undefined {
  return (error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
}

export function createSession(deps: SessionDeps): Session {
  const { auth, messages, lids, reconnects, events, logger } = deps;
  const watchdog = deps.watchdog ?? WatchdogConfigSchema.parse({});
  let stopWatchdog: (() => void) | null = null;
  /** True from `open` until the connection is lost: only losing a working connection counts as a reconnect. */
  let wasOpen = false;
  /** The reason the last close was logged with, so a run of identical closes is logged once. */
  let lastCloseReason: string | null = null;
  quietLibsignal(logger);
  // Uploads go through node:https with this agent (Baileys' uploadWithNodeHttp): it adds the simulator's root.
  const mediaAgent = deps.mediaRootCert ? new HttpsAgent({ ca: deps.mediaRootCert }) : null;
  const backoff = deps.backoff ?? DEFAULT_BACKOFF;
  // A 463 may mean a reach-out time lock: Baileys does not ask for it, so WaGate does.
  const receipts = createReceipts(
    messages,
    events,
    (change) => {
      if (change.reason === rejectionReason(463) && sock) standing.refresh(sock, false);
    },
    (messageId, member, kind) => {
      const jid = jidNormalizedUser(member);
      deps.memberReceipts.record(messageId, lids.pnOf(jid) ?? jid, kind, Math.floor(Date.now() / 1000));
    },
  );
  const updates = createMessageUpdates({
    messages,
    events,
    logger,
    me: () => {
      const me = auth.state.creds.me;
      return { pn: me?.id ? jidNormalizedUser(me.id) : null, lid: me?.lid ? jidNormalizedUser(me.lid) : null };
    },
  });
  const onUpsert = createInbound({
    messages,
    lids,
    events,
    receipts,
    media: deps.inboundMedia ?? undefined,
    updates,
  });
  let sock: WASocket | null = null;
  const acks = new WeakMap<WASocket, ServerAcks>();
  let running = false;
  let attempt = 0;
  let qrCount = 0;
  let reconnectTimer: NodeJS.Timeout | null = null;
  /** Sends and queries waiting on the current socket: they fail at once when it closes instead of hanging. */
  const inFlight = new Set<(error: Error) => void>();
  let snap: SessionSnapshot = firstSnapshot('stopped', reconnects);
  const standing = createStandingTracker({ logger, publish: (change) => update(change) });

  function update(change: Partial<SessionSnapshot>): void {
    const next = { ...snap, ...change };
    if (next.state !== 'qr') Object.assign(next, { qr: null, qr_expires_at: null });
    if (next.state !== snap.state) next.since = nowSeconds();
    if (JSON.stringify(next) === JSON.stringify(snap)) return;
    snap = next;
    events.emit('session.state', { ...snap });
  }

  function accountOf(s: WASocket): LinkedAccount | null {
    const me = s.user ?? auth.state.creds.me;
    if (!me?.id) return null;
    const jid = jidNormalizedUser(me.id);
    return {
      jid,
      number: phoneOfJid(jid) ?? jid.split('@')[0] ?? '',
      name: me.name && me.name !== '~' ? me.name : null,
    };
  }

  function connect(): void {
    qrCount = 0;
    const s = makeWASocket({
      auth: auth.state,
      logger: baileysLogger(logger),
      ...(deps.waUrl ? { waWebSocketUrl: deps.waUrl } : {}),
      ...(mediaAgent ? { fetchAgent: mediaAgent } : {}),
      markOnlineOnConnect: false,
      // The phone lists the linked device under this computer's own system (Baileys' default says Mac OS everywhere).
      browser: Browsers.appropriate('Chrome'),
      // Baileys' default history policy (everything but a FULL sync) is kept: the PN-to-LID mappings it needs to
      // encrypt to a contact arrive in those syncs.
      syncFullHistory: false,
      generateHighQualityLinkPreview: false,
      defaultQueryTimeoutMs: QUERY_TIMEOUT_MS,
      // A recipient that could not decrypt a message asks for it again (a retry receipt): answered from the store,
      // so it works after a restart too, with the quote the message had.
      getMessage: async (key) => {
        const stored = key.id ? messages.get(key.id) : null;
        if (!stored || stored.direction !== 'outbound') return undefined;
        const quoted = stored.quoted_message_id ? messages.get(stored.quoted_message_id) : null;
        if (stored.kind === 'text') return contentOf(stored, quoted);
        const context = { address: key.remoteJid ?? stored.chat_jid, secret: messages.secretOf(stored.message_id) };
        const content = toBaileysContent(stored, {
          ...context,
          mentions: [],
          media: mediaOf(stored, stored.message_id),
        });
        return generateWAMessageContent(content, { upload: s.waUploadToServer });
      },
    });
    keepLateKeyWrites(s.authState.keys);
    sock = s;
    acks.set(s, listenForAcks(s));
    // Only the current socket speaks for the session, and a failing handler must not break Baileys' event loop.
    const mine =
      <A extends unknown[]>(handler: (...args: A) => void) =>
      (...args: A) => {
        if (sock !== s) return;
        try {
          handler(...args);
        } catch (error) {
          logger.error({ err: error }, 'could not handle a WhatsApp event');
        }
      };
    s.ev.on('creds.update', () => {
      try {
        auth.saveCreds();
      } catch (error) {
        logger.error({ err: error }, 'could not save the WhatsApp credentials');
      }
    });
    s.ev.on(
      'creds.update',
      mine(() => snap.state === 'connected' && update({ account: accountOf(s) })),
    );
    s.ev.on(
      'connection.update',
      mine((u: Partial<ConnectionState>) => onConnectionUpdate(s, u)),
    );
    s.ev.on(
      'message-capping.update',
      mine((info: NewChatMessageCapInfo) => standing.onCapping(info)),
    );
    s.ev.on(
      'messages.upsert',
      mine(({ messages: list }: { messages: WAMessage[] }) => onUpsert(list)),
    );
    s.ev.on(
      'messages.update',
      mine((list: WAMessageUpdate[]) => receipts.onMessageUpdates(list)),
    );
    // WhatsApp sends contacts' status as a top-level <status> and recycles a stream that leaves it unacknowledged;
    // Baileys rc14 has no handler for it.
    s.ws.on(
      'CB:status',
      mine((n: BinaryNode) => {
        s.sendMessageAck(n).catch((error: unknown) => logger.warn({ err: error }, 'could not ack a status'));
      }),
    );
    s.ev.on(
      'lid-mapping.update',
      mine((m: LIDMapping) => lids.remember({ pn: jidNormalizedUser(m.pn), lid: jidNormalizedUser(m.lid) })),
    );
    s.ev.on(
      'message-receipt.update',
      mine((list: MessageUserReceiptUpdate[]) => receipts.onUserReceipts(list)),
    );
  }

  function onConnectionUpdate(s: WASocket, u: Partial<ConnectionState>): void {
    if (u.qr) {
      attempt = 0;
      const lifetime = qrCount++ === 0 ? FIRST_QR_MS : NEXT_QR_MS;
      update({ state: 'qr', qr: u.qr, qr_expires_at: unixSeconds(Date.now() + lifetime), account: null });
    } else if (u.isNewLogin) {
      update({ state: 'connecting' });
    }
    if (u.connection === 'connecting' && snap.state === 'starting') update({ state: 'connecting' });
    if (u.connection === 'open') {
      attempt = 0;
      wasOpen = true;
      lastCloseReason = null;
      watch(s);
      update({ state: 'connected', account: accountOf(s), last_error: null });
      standing.refresh(s, true);
    }
    if (u.reachoutTimeLock) standing.onTimelock(u.reachoutTimeLock);
    if (u.connection === 'close') onClose(u.lastDisconnect?.error);
  }

  /** Keep-alives and inbound traffic: a stream that stops answering is ended and reconnected, not trusted. */
  function watch(s: WASocket): void {
    stopWatchdog?.();
    let lastInbound = Date.now();
    s.ws.on('frame', () => (lastInbound = Date.now()));
    stopWatchdog = startWatchdog({
      config: watchdog,
      ping: (timeoutMs) =>
        s.query(
          {
            tag: 'iq',
            attrs: { to: S_WHATSAPP_NET, type: 'get', xmlns: 'w:p' },
            content: [{ tag: 'ping', attrs: {} }],
          },
          timeoutMs,
        ),
      lastInboundAt: () => lastInbound,
      onDead: (cause) => {
        if (sock !== s) return;
        logger.warn({ cause }, 'the WhatsApp connection is dead: reconnecting');
        update({ state: 'reconnecting', last_error: cause });
        void s.end(Object.assign(new Error(cause), { output: { statusCode: DEAD_STREAM }, watchdog: true }));
      },
    });
  }

  function onClose(error: Error | undefined): void {
    sock = null;
    stopWatchdog?.();
    stopWatchdog = null;
    abortInFlight();
    const lost = wasOpen;
    wasOpen = false;
    if (!running) return;
    const code = statusCodeOf(error);
    const decision = decideOnClose(code, attempt, Math.random, backoff);
    const byWatchdog = (error as { watchdog?: boolean } | undefined)?.watchdog === true;
    const lastError = byWatchdog ? error!.message : closeReasonText(code, error?.message, snap.state === 'qr');
    // One line when the reason changes, not one per retry while offline or while codes expire unscanned.
    const level = lastError === lastCloseReason ? 'debug' : 'info';
    lastCloseReason = lastError;
    logger[level]({ code, action: decision.action, reason: lastError }, 'WhatsApp connection closed');
    if (lost && (decision.action === 'restart' || decision.action === 'reconnect')) {
      reconnects.record({ at: Date.now(), cause: lastError });
      update(reconnectCounts(reconnects));
    }
    switch (decision.action) {
      case 'restart':
        update({ state: 'connecting' });
        connect();
        return;
      case 'reconnect':
        attempt++;
        update({ state: snap.state === 'qr' ? 'starting' : 'reconnecting', last_error: lastError });
        reconnectTimer = setTimeout(() => {
          reconnectTimer = null;
          if (running) connect();
        }, decision.delayMs);
        return;
      case 'logged_out':
        forgetDevice(lastError);
        connect();
        return;
      case 'replaced':
        running = false;
        update({ state: 'replaced', last_error: lastError });
    }
  }

  /** The credentials are dead: wipe them so the next connection offers a fresh QR. */
  function forgetDevice(reason: string): void {
    auth.clear();
    standing.reset();
    update({ state: 'logged_out', account: null, last_error: reason });
  }

  /** `work` on the open socket, failing with 503 as soon as that socket closes. */
  function whileConnected<T>(work: (s: WASocket) => Promise<T>): Promise<T> {
    const s = openSocket();
    return new Promise<T>((resolve, reject) => {
      inFlight.add(reject);
      work(s)
        .then(resolve, reject)
        .finally(() => inFlight.delete(reject));
    });
  }

  function abortInFlight(): void {
    for (const abort of inFlight) abort(NOT_CONNECTED());
    inFlight.clear();
  }

  function openSocket(): WASocket {
    if (!sock || snap.state !== 'connected') throw NOT_CONNECTED();
    return sock;
  }

  /** Detaches the current socket (its events are ignored from now on), lets `last` use it, then ends it. */
  async function closeSocket(last?: () => Promise<void>): Promise<void> {
    if (reconnectTimer) clearTimeout(reconnectTimer);
    reconnectTimer = null;
    const s = sock;
    sock = null;
    stopWatchdog?.();
    stopWatchdog = null;
    wasOpen = false;
    abortInFlight();
    await last?.();
    await s?.end(undefined);
  }

  async function start(): Promise<void> {
    if (running) return;
    running = true;
    attempt = 0;
    update({ state: 'starting', last_error: null });
    connect();
  }

  async function stop(): Promise<void> {
    running = false;
    standing.stop();
    await closeSocket();
    auth.saveCreds();
    update({ state: 'stopped' });
  }

  async function logout(): Promise<void> {
    const s = sock;
    const wasConnected = snap.state === 'connected';
    // Detached first, so the 401 close that Baileys' own logout causes is not taken for the phone unlinking us.
    await closeSocket(async () => {
      if (s && wasConnected)
        await s.logout().catch((error: unknown) => logger.warn({ err: error }, 'WhatsApp did not confirm the logout'));
    });
    forgetDevice('This phone was unlinked from WaGate');
    running = true;
    connect();
  }

  async function requestPairingCode(phoneNumber: string): Promise<string> {
    if (!sock || snap.state !== 'qr')
      throw new ApiError(409, 'A pairing code can only be asked for while the session waits to be linked');
    try {
      return await sock.requestPairingCode(phoneNumber.replace(/\D/g, ''));
    } catch (error) {
      logger.error({ err: error }, 'WhatsApp refused the pairing-code request');
      throw new ApiError(500, 'Failed to request a pairing code');
    }
  }

  /**
   * Baileys' error when the socket closed under a request: the session hears of the close a moment later, so its state
   * may still say connected. Not connected (503), not a failure of WhatsApp (500).
   */
  function connectionWentAway(error: unknown): boolean {
    const code = (error as { output?: { statusCode?: number } } | null)?.output?.statusCode;
    return code === DisconnectReason.connectionClosed;
  }

  async function usync(query: USyncQuery): Promise<USyncQueryResult | undefined> {
    try {
      return await whileConnected((s) => s.executeUSyncQuery(query));
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (snap.state !== 'connected' || connectionWentAway(error)) throw NOT_CONNECTED();
      logger.error({ err: error }, 'WhatsApp did not answer a usync query');
      throw new ApiError(500, 'WhatsApp did not answer who is on it');
    }
  }

  const groupsParticipating = () => whileConnected((s) => s.groupFetchAllParticipating());
  const groupMetadata = (jid: string) => whileConnected((s) => s.groupMetadata(jid));

  async function knownPnOf(lid: string): Promise<string | null> {
    const pn = await sock?.signalRepository.lidMapping.getPNForLID(lid);
    return pn ? jidNormalizedUser(pn) : null;
  }

  /** A failure of WhatsApp itself is logged with its cause; the caller only learns that sending failed. */
  function whatsAppFailure(error: unknown, what: string): ApiError {
    if (error instanceof ApiError) return error;
    if (snap.state !== 'connected' || connectionWentAway(error)) return NOT_CONNECTED();
    logger.error({ err: error }, what);
    return new ApiError(500, 'Failed to send message');
  }

  async function send(
    to: Recipient,
    content: MessageContent,
    { messageId, secret, quoted, mentions = [] }: SendOptions,
  ): Promise<number> {
    const options = { messageId, ...(quoted ? { quoted: quotedFor(quoted) } : {}) };
    const message = toBaileysContent(content, {
      address: to.address,
      secret,
      mentions,
      media: mediaOf(content, messageId),
    });
    try {
      return await whileConnected(async (s) => {
        const acked = acks.get(s)!.waitFor(messageId, deps.ackTimeoutMs);
        acked.catch(() => undefined); // sendMessage may fail first: then its error is the one that counts
        await s.sendMessage(to.address, message, options);
        return acked;
      });
    } catch (error) {
      // A 463 may mean a reach-out time lock: Baileys does not ask for it, so WaGate does.
      if (error instanceof ServerRejectedError && error.code === '463' && sock) standing.refresh(sock, false);
      if (error instanceof ServerRejectedError || error instanceof AckTimeoutError) throw error;
      throw whatsAppFailure(error, 'WhatsApp did not take the message');
    }
  }

  /** A media message's file and thumbnail, kept in the data folder under its id since it was accepted. */
  function mediaOf(content: MessageContent, messageId: string) {
    if (!isMediaContent(content)) return null;
    const readThumbnail = (path: string | null) => (path ? readFileSync(path) : null);
    return {
      file: deps.mediaFiles.outboundFile(messageId),
      thumbnail: readThumbnail(deps.mediaFiles.outboundThumbnail(messageId)),
    };
  }

  async function newMessageId(): Promise<string | null> {
    const me = auth.state.creds.me?.id;
    return me ? generateMessageIDV2(me) : null;
  }

  async function sendPresence(kind: PresenceKind, jid?: string): Promise<void> {
    if ((kind === 'composing' || kind === 'recording' || kind === 'paused') && !jid)
      throw new Error(`presence "${kind}" needs a chat`);
    await whileConnected((s) => s.sendPresenceUpdate(kind, jid));
  }

  return {
    start,
    stop,
    snapshot: () => ({ ...snap, ...reconnectCounts(reconnects) }),
    logout,
    requestPairingCode,
    usync,
    knownPnOf,
    groupsParticipating,
    groupMetadata,
    newMessageId,
    send,
    sendPresence,
  };
}
