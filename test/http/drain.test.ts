import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startPairedCore, startSandboxCore, type TestCore } from '../support/core.ts';
import { ALICE } from '../support/contacts.ts';
import { DEFAULT_LIMITS } from '../../server/contract/limits.ts';
import { waitForEvent } from '../support/waits.ts';

/** A stop of the real core answers every request: finished, or a 503 that says what it means; never a reset. */

interface Answer {
  status: number;
  body: any;
}

/** Every answer on one connection until the server closes it, and whether it was reset. */
function answersOf(text: string): Answer[] {
  const answers: Answer[] = [];
  for (const part of text.split(/(?=HTTP\/1\.1 \d{3})/)) {
    const status = /^HTTP\/1\.1 (\d{3})/.exec(part);
    if (!status) continue;
    const body = part.slice(part.indexOf('\r\n\r\n') + 4).replace(/^[0-9a-f]+\r\n|\r\n0\r\n\r\n$|\r\n$/g, '');
    answers.push({
      status: Number(status[1]),
      body: JSON.parse(body.slice(body.indexOf('{'), body.lastIndexOf('}') + 1)),
    });
  }
  return answers;
}

function rawConnection(h: TestCore) {
  const socket = connect(Number(new URL(h.core.url).port), '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (d) => chunks.push(d));
  const ended = new Promise<{ text: string; reset: boolean }>((resolve) => {
    let reset = false;
    socket.on('error', () => (reset = true));
    socket.on('close', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), reset }));
  });
  return { socket, ended };
}

/** Resolves when the core's sender has taken a send: the request is then in flight. */
function whenSending(h: TestCore): Promise<void> {
  return new Promise((resolve) => {
    const original = h.core.sender.send;
    h.core.sender.send = (request) => {
      resolve();
      return original(request);
    };
  });
}

test('on stop, a send in flight finishes and is answered 200; a request behind it gets a 503 that says nothing was sent; the message arrived', async (t) => {
  const h = await startPairedCore(t);
  const text = `sent while stopping ${Date.now()}`;
  const body = JSON.stringify({ text });
  const { socket, ended } = rawConnection(h);
  const sending = whenSending(h);
  socket.write(
    `POST /chats/${ALICE}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${h.key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  await sending;
  const stopping = h.core.stop();
  // Behind the send on the same connection, and on a new one, after the stop began.
  socket.write(`GET /session HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${h.key}\r\n\r\n`);
  const another = rawConnection(h);
  another.socket.write(`GET /session HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${h.key}\r\n\r\n`);
  const late = await another.ended;
  assert.deepEqual(
    answersOf(late.text).map((a) => a.status),
    [503],
    late.text,
  );
  const { text: received, reset } = await ended;
  await stopping;
  assert.equal(reset, false, 'the connection was closed, not reset');
  const answers = answersOf(received);
  assert.deepEqual(
    answers.map((a) => a.status),
    [200, 503],
    received,
  );
  assert.equal(answers[0]!.body.data.status, 'sent');
  assert.match(answers[1]!.body.error, /stopping: this request was not handled and nothing was sent/);
  await h.restart();
  const inbox = await h.call(`/sandbox/contacts/${ALICE}/inbox`);
  assert.ok(
    inbox.body.data.some((m: { text: string }) => m.text === text),
    'the message answered 200 reached the contact',
  );
});

test('on stop, an open event stream ends cleanly', async (t) => {
  const h = await startSandboxCore(t);
  const res = await fetch(`${h.core.url}/events`, { headers: { authorization: h.key } });
  assert.equal(res.status, 200);
  const reading = res.text();
  await h.core.stop();
  assert.match(await reading, /^retry: /, 'the stream ended without an error');
  await h.restart();
});

test('a request still unfinished when the drain deadline passes gets a 503 saying its outcome is unknown, not a reset', async (t) => {
  const h = await startSandboxCore(t, { config: { limits: { ...DEFAULT_LIMITS, drainMs: 100 } } });
  // A fresh key: its first use is on the bus, which says the request is in the core, waiting for its body.
  const key = h.core.keys.create({ name: 'slow', expiresAt: null }).key;
  const checked = waitForEvent(h.core, 'keys.changed', () => true, 'the key checked');
  const { socket, ended } = rawConnection(h);
  socket.write(
    `POST /chats/${ALICE}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${key}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"text":`,
  );
  await checked;
  await h.core.stop();
  const { text, reset } = await ended;
  assert.equal(reset, false, text);
  const answers = answersOf(text);
  assert.deepEqual(
    answers.map((a) => a.status),
    [503],
    text,
  );
  assert.match(answers[0]!.body.error, /whether it took effect is unknown/);
  await h.restart();
});
