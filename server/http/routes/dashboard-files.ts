import express, { Router } from 'express';
import { join } from 'node:path';
import { dashboardPages } from './dashboard.ts';

/** The built dashboard's files (dist/renderer), after the API. Its assets carry a content hash and are cached for long. */
export function createDashboardRouter(dashboardDir: string): Router {
  const router = Router();
  router.use('/assets', express.static(join(dashboardDir, 'assets'), { immutable: true, maxAge: '365d' }));
  router.use(dashboardPages(dashboardDir, 'any'));
  router.use(express.static(dashboardDir, { index: false, maxAge: '1h' }));
  return router;
}
