import type { Request, RequestHandler, Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_SCREEN_PATHS } from '../../contract/dashboard.ts';
import { requestPath } from '../request-url.ts';

/** The dashboard's pages: each serves index.html and the page picks the screen. */
export const DASHBOARD_PAGES: string[] = ['/', ...DASHBOARD_SCREEN_PATHS];

/** index.html, revalidated every time: after an upgrade no browser keeps a page that points at assets that are gone. */
function sendIndex(dashboardDir: string) {
  const index = join(dashboardDir, 'index.html');
  return (_req: Request, res: Response) => {
    if (!existsSync(index)) {
      return res.status(503).type('text').send('The dashboard is not built yet: run `npm run build:ui`, then reload.');
    }
    res.set({ 'Cache-Control': 'no-cache', Vary: 'Sec-Fetch-Dest, Accept' }).sendFile(index);
  };
}

/**
 * A browser opening a page (typed, bookmarked, reloaded): `Sec-Fetch-Dest: document`, or, from a browser too old to
 * send it, an Accept that asks for HTML by name. An API client's `*\/*` and the page's own fetches are not.
 */
function isNavigation(req: Request): boolean {
  const dest = req.headers['sec-fetch-dest'];
  if (dest !== undefined) return dest === 'document';
  return (req.headers.accept ?? '').split(',').some((type) => type.trim().startsWith('text/html'));
}

/**
 * index.html for a GET of a dashboard page. Mounted twice: before the API for navigations only, so a reload of a page
 * that shares its path with an API prefix (`/sandbox`, `/outbox`) gets the page while API calls go on unchanged; and
 * after the API for any GET of the pages the API leaves alone.
 */
export function dashboardPages(dashboardDir: string, which: 'navigations' | 'any'): RequestHandler {
  const pages = new Set(DASHBOARD_PAGES);
  const send = sendIndex(dashboardDir);
  return (req, res, next) => {
    // Before the API on every request: its cheapest test first.
    if (req.method !== 'GET') return next();
    const asked = requestPath(req);
    const path = asked.length > 1 ? asked.replace(/\/+$/, '') : asked;
    if (pages.has(path) && (which === 'any' || isNavigation(req))) return send(req, res);
    next();
  };
}
