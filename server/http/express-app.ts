import type { ErrorRequestHandler, Express, RequestHandler } from 'express';
import type { HttpAppDeps } from './app.ts';
import { requireAdmin } from './middleware/auth.ts';
import { notFound } from './middleware/errors.ts';
import { serveOperations } from './operations.ts';
import { createAdminLoginRouter } from './routes/admin-login.ts';
import { createAdminEventsRouter } from './routes/admin-events.ts';
import { createAdminKeysRouter } from './routes/admin-keys.ts';
import { createAdminMessagesRouter } from './routes/admin-messages.ts';
import { createAdminWebhooksRouter } from './routes/admin-webhooks.ts';
import { createAdminPacingRouter } from './routes/admin-pacing.ts';
import { createDashboardRouter } from './routes/dashboard-files.ts';
import { createDocsRouter } from './routes/docs.ts';
import { createSandboxRouter } from './routes/sandbox.ts';

/**
 * What express serves, behind the public API: the docs pages, the dashboard's admin endpoints, the sandbox's control
 * API and the dashboard's files, then the 404 and the error answer. Loaded and mounted (server/http/app.ts) when the
 * first request the public API leaves alone arrives: a core that only gets API calls never loads any of it.
 */
export function mountExpressPart(
  app: Express,
  deps: HttpAppDeps,
  parts: { caller: RequestHandler; errors: ErrorRequestHandler },
): void {
  app.use(createDocsRouter());

  const info = () => ({ version: deps.version, sandbox: deps.sandbox !== null, api_url: deps.apiUrl() });
  app.use('/admin', createAdminLoginRouter({ admin: deps.admin, info }));
  app.use('/admin', requireAdmin(deps.admin), createAdminEventsRouter({ events: deps.events }));
  const adminApi = [
    createAdminKeysRouter({ keys: deps.keys, events: deps.events }),
    createAdminMessagesRouter({ messages: deps.messages }),
    createAdminWebhooksRouter({ webhooks: deps.webhooks }),
    createAdminPacingRouter(deps.pacing),
  ];
  app.use('/admin', serveOperations(adminApi));

  if (deps.sandbox) {
    const currentQr = () => deps.session.snapshot().qr;
    app.use('/sandbox', parts.caller, createSandboxRouter(deps.sandbox, { logger: deps.logger, currentQr }));
  }

  app.use(createDashboardRouter(deps.dashboardDir));
  app.use(notFound);
  app.use(parts.errors);
}
