import express, { Router } from 'express';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { DOCS_HTML, DOCS_INITIALIZER, DOCS_THEME } from '../docs-page.ts';
import { buildOpenApi } from '../openapi.ts';

const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** `GET /openapi.json` (the document itself is not enveloped: tools read it as is) and the interactive `/docs`. */
export function createDocsRouter(deps: { version: string; apiUrl: () => string }): Router {
  const router = Router();
  let document: object | undefined;
  router.get('/openapi.json', (_req, res) => {
    document ??= buildOpenApi(deps.version, deps.apiUrl());
    res.json(document);
  });
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
