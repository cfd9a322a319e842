import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir.ts';
import { runWagate, startWagate } from '../support/wagate-process.ts';
import { eventually } from '../support/waits.ts';

test('SIGTERM to `wagate serve` answers the request in flight before the process exits, never a reset', async (t) => {
  const dataDir = join(tempDir(t), 'data');
  const { running, found } = await startWagate(
    ['serve', '--sandbox', '--port', '0', '--data-dir', dataDir],
    [/^API: (\S+)$/m, /^API key \(shown once, keep it\): (\S+)$/m],
  );
  t.after(() => running.stop());
  const [api, key] = found as [string, string];
  const socket = connect(Number(new URL(api).port), '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (d) => chunks.push(d));
  const ended = new Promise<{ text: string; reset: boolean }>((resolve) => {
    let reset = false;
    socket.on('error', () => (reset = true));
    socket.on('close', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), reset }));
  });
  const body = '{"text":"hello"}';
  // The headers and half the body: the request is in the server, waiting for the rest.
  socket.write(
    `POST /chats/15550001111/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 8)}`,
  );
  // The key's first use is stored: the server has read the request's headers.
  await eventually(
    () => !/last used -/.test(runWagate(['keys', 'list', '--sandbox', '--data-dir', dataDir])),
    'the key used',
  );
  const exited = new Promise<number | null>((resolve) => running.child.once('exit', resolve));
  running.child.kill('SIGTERM');
  socket.write(body.slice(8));
  const { text, reset } = await ended;
  assert.equal(reset, false, 'closed, not reset');
  const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
  assert.equal(statuses.length, 1, text);
  // Handled by the API (the sandbox is not linked, so the send's own answer), not refused by the stop.
  assert.match(text, /"status":false|"status":true/, text);
  assert.doesNotMatch(text, /WaGate is stopping|outcome is unknown/, 'the request in flight was handled, not refused');
  assert.equal(await exited, 0);
});
