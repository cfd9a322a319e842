import express, { Router } from 'express';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { DOCS_HTML, DOCS_INITIALIZER, DOCS_THEME } from '../docs-page.ts';
import { buildOpenApi } from '../openapi.ts';
import { createApiRouter, type ApiRouter, type Operation } from '../operations.ts';

const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** `GET /openapi.json` (the document itself is not enveloped: tools read it as is) and the interactive `/docs`. */
export function createDocsRouter(deps: {
  version: string;
  apiUrl: () => string;
  /** The public API's operations, this one's included; read at the first request, once every router is built. */
  operations: () => readonly Operation[];
}): { api: ApiRouter; pages: Router } {
  const api = createApiRouter();
  const router = Router();
  let document: object | undefined;
  api.route(
    {
      method: 'get',
      path: '/openapi.json',
      summary: 'This document',
      tag: 'System',
      auth: false,
      errors: [],
      dataExample: { openapi: '3.1.0', info: { title: 'WaGate', version: deps.version }, paths: {} },
    },
    (_input, res) => {
      document ??= buildOpenApi(deps.version, deps.apiUrl(), deps.operations());
      res.json(document);
    },
  );
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
  return { api, pages: router };
}
