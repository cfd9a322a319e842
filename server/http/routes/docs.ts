import express, { Router } from 'express';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { DOCS_HTML, DOCS_INITIALIZER, DOCS_THEME } from '../docs-page.ts';

const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The interactive `/docs` (Swagger UI), reading `/openapi.json`. */
export function createDocsRouter(): Router {
  const router = Router();
  // The page loads its files relative to /docs/: at /docs they would be looked for at the root, and it stays blank.
  router.get('/docs', (req, res, next) => (req.path === '/docs' ? res.redirect(301, '/docs/') : next()));
  router.get(['/docs/', '/docs/index.html'], (_req, res) => {
    res.type('html').send(DOCS_HTML);
  });
  router.get('/docs/swagger-initializer.js', (_req, res) => {
    res.type('js').send(DOCS_INITIALIZER);
  });
  router.get('/docs/wagate-theme.css', (_req, res) => {
    res.type('css').send(DOCS_THEME);
  });
  router.use('/docs', express.static(SWAGGER_DIR, { index: false }));
  return router;
}
