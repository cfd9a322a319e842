import { test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { EXPRESS_REQUEST_MEMBERS, EXPRESS_RESPONSE_MEMBERS } from '../../server/http/express-on-demand.ts';
import { startSandboxCore } from '../support/core.ts';
import { rawExchange } from '../support/raw-http.ts';

const membersOf = (extended: object) => [
  ...Object.getOwnPropertyNames(extended),
  ...Object.getOwnPropertyNames(Object.getPrototypeOf(extended) as object),
];

test('the members that load express on first use are exactly what express adds to requests and responses', () => {
  const app = express();
  assert.deepEqual(new Set(EXPRESS_REQUEST_MEMBERS), new Set(membersOf(app.request)));
  assert.deepEqual(new Set(EXPRESS_RESPONSE_MEMBERS), new Set(membersOf(app.response)));
});

test("answers only express knows how to give come from express, loaded then: a conditional GET's, an absolute-form target's path", async (t) => {
  const h = await startSandboxCore(t);
  const port = Number(new URL(h.core.url).port);
  // API answers carry no ETag or Last-Modified: by express's freshness rules a conditional GET gets the whole answer.
  const conditions: Record<string, string>[] = [
    { 'if-none-match': '*' },
    { 'if-modified-since': new Date().toUTCString() },
  ];
  for (const condition of conditions) {
    const answer = await fetch(`${h.core.url}/health`, { headers: condition });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(((await answer.json()) as { message: string }).message, 'WaGate is running');
  }
  // express's parser gives the path of an absolute-form target; the API's table then serves it.
  const absolute = await rawExchange(
    port,
    `GET http://127.0.0.1:${port}/health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
  );
  assert.equal(absolute.status, 200);
});
