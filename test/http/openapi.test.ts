import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandboxCore, type TestCore } from '../support/core.ts';
import { Validator } from '@seriousme/openapi-schema-validator';
import { OPERATIONS } from '../../server/http/openapi.ts';
import { DASHBOARD_PAGES } from '../../server/http/routes/dashboard.ts';

let h: TestCore;
before(async (t) => {
  h = await startSandboxCore(t);
});

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: unknown;
}

/** Every method + path the express app really answers, found by walking its routers. */
function routesOf(stack: Layer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    const route = layer.route;
    if (route)
      return [route.path].flat().flatMap((path) => Object.keys(route.methods).map((m) => `${m} ${prefix}${path}`));
    if (layer.handle.stack)
      return routesOf(
        layer.handle.stack,
        prefix + (typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''),
      );
    return [];
  });
}

/** The dashboard's own endpoints and pages, and the sandbox's control API, are not part of the public API. */
const isPublicApi = (route: string) =>
  !/ \/(admin|sandbox|docs)\b/.test(route) && !DASHBOARD_PAGES.some((page) => route === `get ${page}`);

test('/openapi.json is OpenAPI 3.1, needs no key, and lists every public route the server has', async () => {
  const res = await h.call('/openapi.json', { auth: false });
  assert.equal(res.status, 200);
  assert.equal(res.body.openapi, '3.1.0');
  const validator = new Validator();
  const result = await validator.validate(res.body);
  assert.equal(validator.version, '3.1');
  assert.ok(result.valid, JSON.stringify(result.errors));
  const documented = Object.entries(res.body.paths as Record<string, object>).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
  );
  const app = h.core.httpApp;
  const served = routesOf((app as unknown as { router: { stack: Layer[] } }).router.stack).filter(isPublicApi);
  assert.deepEqual([...new Set(served)].sort(), documented.sort());
  assert.equal(OPERATIONS.length, documented.length);
});

test('the send operation documents the seed body, its defaults and the envelope', async () => {
  const doc = (await h.call('/openapi.json', { auth: false })).body;
  const send = doc.paths['/chats/{chat_jid}/messages'].post;
  const body = send.requestBody.content['application/json'].schema;
  assert.deepEqual(body.required, ['text']);
  assert.equal(body.properties.typing_simulation.default, true);
  assert.equal(body.properties.presence_simulation.default, true);
  assert.deepEqual(send.requestBody.content['application/json'].example.text, 'Hello, World!');
  assert.equal(send.responses['400'].content['application/json'].schema.$ref, '#/components/schemas/Error');
  assert.deepEqual(send.security, [{ apiKey: [] }]);
});

test('/docs serves the interactive page from the package, no CDN', async () => {
  const page = await h.call('/docs/', { auth: false });
  assert.equal(page.status, 200);
  assert.match(String(page.body), /swagger-ui-bundle\.js/);
  assert.doesNotMatch(String(page.body), /https?:\/\//);
  const init = await h.call('/docs/swagger-initializer.js', { auth: false });
  assert.match(String(init.body), /\/openapi\.json/);
});
