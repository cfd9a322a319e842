import express, { Router } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The dashboard's screens: each path serves index.html and the page picks the screen. */
export const DASHBOARD_PAGES = ['/', '/pairing', '/keys', '/send', '/pacing', '/webhooks', '/sandbox'];

/**
 * The built dashboard (dist/renderer). Its assets carry a content hash and are cached for long; index.html is
 * revalidated every time, so after an upgrade no browser keeps a page that points at assets that are gone.
 */
export function createDashboardRouter(dashboardDir: string): Router {
  const router = Router();
  const index = join(dashboardDir, 'index.html');
  router.use('/assets', express.static(join(dashboardDir, 'assets'), { immutable: true, maxAge: '365d' }));
  router.get(DASHBOARD_PAGES, (_req, res) => {
    if (!existsSync(index)) {
      return res.status(503).type('text').send('The dashboard is not built yet: run `npm run build:ui`, then reload.');
    }
    res.set('Cache-Control', 'no-cache').sendFile(index);
  });
  router.use(express.static(dashboardDir, { index: false, maxAge: '1h' }));
  return router;
}
