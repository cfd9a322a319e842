import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveRecordingModules, UNREACHABLE_SIMULATOR } from '../support/wagate-process.ts';
import { ALICE } from '../support/contacts.ts';

test('wagate serve answers API calls without loading express, the dashboard or the OpenAPI writer; the first page loads them', async (t) => {
  const { running, api, headers, modules } = await serveRecordingModules(t, UNREACHABLE_SIMULATOR);
  t.after(() => running.stop());

  assert.equal((await fetch(`${api}/health`)).status, 200);
  assert.equal((await fetch(`${api}/session`, { headers })).status, 200);
  const refused = await fetch(`${api}/chats/${ALICE}/messages`, { method: 'POST', headers, body: '{"text":""}' });
  assert.deepEqual(await refused.json(), {
    status: false,
    code: 400,
    message: 'Bad request',
    error: 'Text field is required',
  });
  const malformed = await fetch(`${api}/chats/${ALICE}/messages`, { method: 'POST', headers, body: '{' });
  assert.equal(malformed.status, 400);
  const events = await fetch(`${api}/events?last_event_id=0`, { headers: { authorization: headers.authorization } });
  assert.equal(events.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  await events.body!.cancel();
  assert.doesNotMatch(modules(), /\/node_modules\/express\//);
  assert.doesNotMatch(modules(), /\/server\/http\/(openapi|express-app)\.ts$/m);

  const document = await fetch(`${api}/openapi.json`);
  assert.equal(document.status, 200);
  assert.ok(((await document.json()) as { paths: object }).paths);
  assert.match(modules(), /\/server\/http\/openapi\.ts$/m);
  assert.doesNotMatch(modules(), /\/node_modules\/express\//);

  // A browser opening the dashboard: express and the rest of the app load, and the page (or its not-built notice) comes.
  const page = await fetch(`${api}/keys`, { headers: { 'sec-fetch-dest': 'document' } });
  assert.match(page.headers.get('content-type') ?? '', /^text\/(html|plain)/);
  assert.match(modules(), /\/node_modules\/express\//);
  const login = await fetch(`${api}/admin/keys`);
  assert.equal(login.status, 401);
  const unknown = await fetch(`${api}/no-such-thing`, { headers });
  assert.deepEqual(await unknown.json(), {
    status: false,
    code: 404,
    message: 'Not found',
    error: 'No such endpoint: GET /no-such-thing',
  });
  assert.match(modules(), /\/server\/http\/express-app\.ts$/m);
});
