import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, Request, Response } from 'express';
import type { Logger } from '../logger.ts';
import type { CoreEvents } from '../events.ts';
import type { ApiKeyStore } from '../store/api-keys.ts';
import type { AdminSessions } from '../store/admin-sessions.ts';
import type { MessageStore } from '../store/messages.ts';
import type { LidMappings } from '../store/lid-mappings.ts';
import type { ContactDirectory } from '../whatsapp/contact-directory.ts';
import type { GroupDirectory } from '../whatsapp/group-directory.ts';
import type { MemberReceipts } from '../store/member-receipts.ts';
import { createGroupsRouter } from './routes/groups.ts';
import type { IdempotencyStore } from '../store/idempotency.ts';
import type { EventLog } from '../store/event-log.ts';
import type { WebhookStore } from '../webhooks/webhook-store.ts';
import { createEventsRouter } from './routes/events.ts';
import type { Session } from '../whatsapp/session.ts';
import type { Sender } from '../whatsapp/sender.ts';
import type { Simulator } from '../sandbox/simulator.ts';
import { securityHeaders, withHeads, writesHeads } from './security-headers.ts';
import { durableAnswers } from './middleware/durable-answers.ts';
import type { GroupCommit } from '../store/group-commit.ts';
import { hostCheck, type HostPolicy } from './middleware/host-check.ts';
import { requireCaller } from './middleware/auth.ts';
import { errorHandler } from './middleware/errors.ts';
import { createHealthRouter } from './routes/health.ts';
import { createSessionRouter } from './routes/session.ts';
import { createMediaRouter } from './routes/media.ts';
import { createMessagesRouter } from './routes/messages.ts';
import type { MediaFiles } from '../store/media-files.ts';
import type { MediaConfig } from '../config.ts';
import { createRichMessagesRouter } from './routes/rich-messages.ts';
import type { MessageActions } from '../whatsapp/message-actions.ts';
import type { InboundMedia } from '../whatsapp/inbound-media.ts';
import { createContactsRouter } from './routes/contacts.ts';
import { createOutboxRouter } from './routes/outbox.ts';
import type { AdminPacingDeps } from './routes/admin-pacing.ts';
import { dashboardPages } from './routes/dashboard.ts';
import { createOpenApiRouter } from './routes/openapi-document.ts';
import type { CredentialStorage } from '../contract/desktop.ts';
import { DEFAULT_LIMITS, type HttpLimits } from '../contract/limits.ts';
import { createAuthFailures } from './middleware/auth-failures.ts';
import { createStreamCaps } from './stream-caps.ts';
import { serveOperations, type ApiRouter } from './operations.ts';
import { runChain } from './middleware-chain.ts';
import { expressOnDemand } from './express-on-demand.ts';
import type { WhatsAppServerKind } from '../contract/health.ts';

export interface HttpAppDeps {
  version: string;
  /** Answers wait until what their request committed is on disk. */
  commits: Pick<GroupCommit, 'mark' | 'promised' | 'durable'>;
  hosts: HostPolicy;
  apiUrl: () => string;
  logger: Logger;
  events: CoreEvents;
  keys: ApiKeyStore;
  admin: AdminSessions;
  messages: MessageStore;
  lids: LidMappings;
  directory: ContactDirectory;
  groups: GroupDirectory;
  memberReceipts: MemberReceipts;
  idempotency: IdempotencyStore;
  eventLog: EventLog;
  webhooks: WebhookStore;
  session: Session;
  sender: Sender;
  /** Media files in the data folder, and config.json's media part. */
  mediaFiles: MediaFiles;
  inboundMedia: Pick<InboundMedia, 'file'>;
  media: MediaConfig;
  /** Reactions, edits and deletes: what they are about, checked. */
  actions: MessageActions;
  pacing: AdminPacingDeps;
  sandbox: Simulator | null;
  whatsappServer: WhatsAppServerKind;
  /** Shown in the admin view of /health; the folder's permissions when not given. */
  credentialStorage?: CredentialStorage;
  dashboardDir: string;
  limits?: HttpLimits;
}

/** What the node:http server needs: its request listener, and the classes it builds requests and responses from. */
export interface HttpApp {
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
}

/**
 * The one HTTP surface: the public API (API key), the dashboard's admin endpoints (admin session), the dashboard.
 * Every request first passes the checks that hold for all (durable answers, security headers, the Host check), then
 * a dashboard navigation gets its page and the public API is served from its operations table, all without express's
 * router (three quarters of a refused request's CPU were express's); express serves the rest (server/http/express-app.ts),
 * loaded with the first request that reaches it (server/http/express-on-demand.ts).
 */
export function createHttpApp(deps: HttpAppDeps): HttpApp {
  const onDemand = expressOnDemand((app) => {
    app.disable('x-powered-by');
    // API answers change with every call: an ETag (a SHA-1 of each body) would never match. Static files keep theirs.
    app.set('etag', false);
    app.set('query parser', 'simple');
    // express gives every response it serves this prototype: its heads carry the security headers too.
    writesHeads(app.response);
  });

  const limits = deps.limits ?? DEFAULT_LIMITS;
  // The public API: each router declares its operations, and the OpenAPI document lists exactly those.
  const health = createHealthRouter({
    version: deps.version,
    session: deps.session,
    server: deps.whatsappServer,
    admin: deps.admin,
    credentialStorage: deps.credentialStorage ?? { kind: 'folder_permissions', keyring: null },
  });
  const events = createEventsRouter({
    eventLog: deps.eventLog,
    caps: createStreamCaps({ perCaller: limits.eventStreamsPerCaller, total: limits.eventStreamsTotal }),
  });
  const session = createSessionRouter({ session: deps.session });
  const messages = createMessagesRouter({
    sender: deps.sender,
    messages: deps.messages,
    lids: deps.lids,
    memberReceipts: deps.memberReceipts,
    idempotency: deps.idempotency,
  });
  const rich = createRichMessagesRouter({ sender: deps.sender, actions: deps.actions, idempotency: deps.idempotency });
  const outbox = createOutboxRouter({ sender: deps.sender });
  const contacts = createContactsRouter({ directory: deps.directory });
  const groups = createGroupsRouter({ groups: deps.groups });
  const failures = createAuthFailures({
    limit: limits.authFailures,
    windowMs: limits.authFailureWindowMs,
    logger: deps.logger,
  });
  const caller = requireCaller(deps.keys, deps.admin, failures);
  const media = createMediaRouter({
    sender: deps.sender,
    files: deps.mediaFiles,
    config: deps.media,
    messages: deps.messages,
    inbound: deps.inboundMedia,
  });
  const openApi = createOpenApiRouter({
    version: deps.version,
    apiUrl: deps.apiUrl,
    operations: () => publicApi.flatMap((api) => api.operations),
  });
  const publicApi: ApiRouter[] = [messages, media, rich, outbox, groups, contacts, session, events, health, openApi];
  const front = [
    durableAnswers(deps.commits),
    securityHeaders,
    hostCheck(deps.hosts),
    dashboardPages(deps.dashboardDir, 'navigations'),
    // Every public operation from one table; the key is checked first where one is needed, before a byte of a body.
    serveOperations(publicApi, { auth: caller }),
  ];
  const errors = errorHandler(deps.logger);
  const ignore = () => undefined;
  // The rest (dashboard, admin, docs pages, sandbox control) loads with the first request that reaches it.
  let rest: Promise<Express> | null = null;
  const expressPart = () =>
    (rest ??= import('./express-app.ts').then(({ mountExpressPart }) => {
      const app = onDemand.app();
      mountExpressPart(app, deps, { caller, errors });
      return app;
    }));
  return {
    IncomingMessage: onDemand.IncomingMessage,
    ServerResponse: withHeads(onDemand.ServerResponse),
    listener(incoming, outgoing) {
      const req = incoming as Request;
      const res = outgoing as Response;
      req.res = res;
      res.locals = Object.create(null) as Response['locals'];
      runChain(front, req, res, (error) => {
        if (error) return errors(error, req, res, ignore);
        expressPart().then(
          (app) => app(req, res),
          (failed: unknown) => errors(failed, req, res, ignore),
        );
      });
    },
  };
}
