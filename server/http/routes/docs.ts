import express, { Router } from 'express';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { buildOpenApi } from '../openapi.ts';

const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** Served as a file, not inline, so the strict CSP holds on the docs page too. */
const INITIALIZER = `window.onload = () => {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout',
  });
};`;

/** `GET /openapi.json` (the document itself is not enveloped: tools read it as is) and the interactive `/docs`. */
export function createDocsRouter(deps: { version: string; apiUrl: () => string }): Router {
  const router = Router();
  let document: object | undefined;
  router.get('/openapi.json', (_req, res) => {
    document ??= buildOpenApi(deps.version, deps.apiUrl());
    res.json(document);
  });
  router.get('/docs/swagger-initializer.js', (_req, res) => {
    res.type('js').send(INITIALIZER);
  });
  router.use('/docs', express.static(SWAGGER_DIR, { index: 'index.html' }));
  return router;
}
