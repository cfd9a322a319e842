import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { firstAnswer } from '../../server/http/first-answer.ts';

/** A real server on an ephemeral port: /slow answers when the test calls `answerSlow`, /events never ends by itself. */
async function serve(t: test.TestContext) {
  let answerSlow = () => {};
  const server: Server = createServer((req, res) => {
    if (req.url === '/slow') answerSlow = () => res.end('late');
    else if (req.url === '/events') res.writeHead(200, { 'content-type': 'text/event-stream' }).write(': open\n\n');
    else res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url, answerSlow: () => answerSlow() };
}

/** Whether `promise` has settled after a few turns of the event loop. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  for (let turn = 0; turn < 5; turn++) await nextTurn();
  return done;
}

test('firstAnswer waits for the first request to be answered, not merely received', async (t) => {
  const { server, url, answerSlow } = await serve(t);
  const answered = firstAnswer(server, 60_000);
  const response = fetch(`${url}/slow`);
  await new Promise((resolve) => server.once('request', resolve));
  assert.equal(await settled(answered), false, 'the request is in, its answer is not');
  answerSlow();
  assert.equal(await (await response).text(), 'late');
  await answered;
});

test('firstAnswer lets the wait run out when the first caller opens an event stream', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { server, url } = await serve(t);
  const answered = firstAnswer(server, 50);
  const controller = new AbortController();
  t.after(() => controller.abort());
  const stream = await fetch(`${url}/events`, { signal: controller.signal });
  assert.equal(stream.status, 200);
  assert.equal(await settled(answered), false, 'an open stream is not an answer');
  t.mock.timers.tick(50);
  assert.equal(await settled(answered), true);
});

test('firstAnswer resolves after the wait when nobody calls', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { server } = await serve(t);
  const answered = firstAnswer(server, 50);
  t.mock.timers.tick(49);
  assert.equal(await settled(answered), false);
  t.mock.timers.tick(1);
  assert.equal(await settled(answered), true);
  assert.equal(server.listenerCount('request'), 1, 'only the server’s own handler is left');
});
