import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandboxCore, type TestCore } from '../support/core.ts';
import { DASHBOARD_PAGES } from '../../server/http/routes/dashboard.ts';

let h: TestCore;
before(async (t) => {
  h = await startSandboxCore(t);
});

/** What Chromium sends when the user types, bookmarks or reloads a page. */
const NAVIGATION = {
  'sec-fetch-dest': 'document',
  'sec-fetch-mode': 'navigate',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
};

function assertPage(res: { status: number; body: unknown; headers: Headers }, path: string) {
  assert.equal(res.status, 200, `${path}: ${String(res.body).slice(0, 200)}`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/, path);
  assert.match(String(res.body), /<div id="root">/, `${path} is the dashboard (run npm run build:ui first)`);
  assert.equal(res.headers.get('cache-control'), 'no-cache', path);
}

test('a browser opening any dashboard page by its address gets the dashboard, even where an API prefix shares it', async () => {
  assert.ok(DASHBOARD_PAGES.includes('/sandbox') && DASHBOARD_PAGES.includes('/outbox'));
  for (const path of DASHBOARD_PAGES) {
    assertPage(await h.call(path, { auth: false, headers: NAVIGATION }), path);
    assertPage(await h.call(path, { headers: NAVIGATION }), `${path} with a key`);
    assertPage(await h.call(`${path}/`.replace('//', '/'), { auth: false, headers: NAVIGATION }), `${path}/`);
  }
});

test('a browser that sends no Sec-Fetch-Dest gets the page when it asks for HTML by name', async () => {
  const res = await h.call('/outbox', { auth: false, headers: { accept: 'text/html,*/*;q=0.8' } });
  assertPage(res, '/outbox');
});

test('API clients get the API at those paths, as before', async () => {
  const outbox = await h.call('/outbox', { headers: { accept: '*/*' } });
  assert.equal(outbox.status, 200);
  assert.equal(outbox.body.status, true);
  assert.ok(Array.isArray(outbox.body.data));

  const anonymous = await h.call('/outbox', { auth: false });
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.body.code, 401);

  // The dashboard's own fetches say `empty`, whatever they accept.
  const fromPage = await h.call('/outbox', { headers: { 'sec-fetch-dest': 'empty', accept: 'text/html' } });
  assert.equal(fromPage.body.status, true);

  const phone = await h.call('/sandbox/phone', { headers: NAVIGATION });
  assert.equal(phone.status, 200);
  assert.equal(phone.body.status, true, 'a path below the prefix stays the API, even when navigated to');
});

test('only GET: a POST navigation to a page path goes to the API', async () => {
  const res = await h.call('/outbox', { method: 'POST', auth: false, headers: NAVIGATION });
  // There is no POST /outbox: the API's 404 in the envelope, not the page.
  assert.equal(res.status, 404);
  assert.equal(res.body.status, false);
  assert.match(res.body.error, /No such endpoint: POST \/outbox/);
});

test('/docs, as the dashboard links it, goes to the page whose files load from /docs/', async () => {
  const res = await fetch(`${h.core.url}/docs`, { redirect: 'manual', headers: NAVIGATION });
  assert.equal(res.status, 301);
  assert.equal(res.headers.get('location'), '/docs/');
  const page = await h.call('/docs/', { auth: false, headers: NAVIGATION });
  assert.match(String(page.body), /Back to the WaGate dashboard/);
});
