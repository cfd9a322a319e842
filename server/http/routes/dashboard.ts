import express, { Router } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built dashboard (dist/renderer); any other page path falls back to its index.html (client-side routes). */
export function createDashboardRouter(dashboardDir: string): Router {
  const router = Router();
  const index = join(dashboardDir, 'index.html');
  router.use(express.static(dashboardDir, { index: 'index.html', maxAge: '1h' }));
  router.get(['/', '/pairing', '/keys', '/send', '/sandbox'], (_req, res) => {
    if (existsSync(index)) return res.sendFile(index);
    res.status(503).type('text').send('The dashboard is not built yet: run `npm run build:ui`, then reload.');
  });
  return router;
}
