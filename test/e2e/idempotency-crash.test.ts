import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../server/store/database.ts';
import { ALICE } from '../support/contacts.ts';
import { tempDir } from '../support/temp-dir.ts';
import { eventually } from '../support/waits.ts';
import { runWagate, startWagate } from '../support/wagate-process.ts';

/** `wagate serve --sandbox` as a user runs it; killed with SIGKILL, as a crash or a power cut would. */
test('a send whose process died mid-way answers 409 to its Idempotency-Key after the restart, and is not sent', async (t) => {
  const dataDir = tempDir(t, 'wagate-crash-');
  // Typing long enough that the send is surely still under way when the process dies.
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ typing: { min_ms: 60_000, max_ms: 60_000 } }));
  const serve = async () => {
    const { running, found } = await startWagate(
      ['serve', '--sandbox', '--port', '0', '--data-dir', dataDir],
      [/^API: (\S+)$/m],
    );
    t.after(() => running.stop());
    return { running, api: found[0]! };
  };
  const key = runWagate(['keys', 'create', 'crash', '--sandbox', '--data-dir', dataDir]).trim();
  const call = async (api: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${api}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: key, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const connected = (api: string) =>
    eventually(async () => (await call(api, '/session')).body.data.state === 'connected', 'the session connected');
  const request = { text: 'sent while the power went out', presence_simulation: false };
  const retry = (api: string) => call(api, `/chats/${ALICE}/messages`, request, { 'idempotency-key': 'order-77' });

  const first = await serve();
  await eventually(async () => (await call(first.api, '/session')).body.data.state === 'qr', 'a QR');
  assert.equal((await call(first.api, '/sandbox/phone/scan', {})).status, 200);
  await connected(first.api);
  const lost = retry(first.api).catch((error: Error) => error);
  // The claim is written before the send starts: once it is in the file, the request is under way.
  const db = openDatabase(join(dataDir, 'sandbox', 'wagate.db'));
  t.after(() => db.close());
  const claim = db.prepare("SELECT code FROM idempotency_keys WHERE key = 'order-77'");
  await eventually(() => claim.get() !== undefined, 'the key claimed');
  await first.running.kill();
  assert.ok((await lost) instanceof Error, 'the client never got an answer');

  const second = await serve();
  await connected(second.api);
  for (const attempt of ['the retry', 'another retry']) {
    const answer = await retry(second.api);
    assert.equal(answer.status, 409, `${attempt}: ${JSON.stringify(answer.body)}`);
    assert.match(answer.body.error, /interrupted; whether it was sent is unknown/);
  }
  const inbox = await call(second.api, `/sandbox/contacts/${ALICE}/inbox`);
  assert.equal(
    inbox.body.data.filter((m: { text: string }) => m.text === request.text).length,
    0,
    'nothing reached Alice: the process died while typing',
  );
});
