import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir.ts';
import { runWagate, startWagate } from '../support/wagate-process.ts';
import { eventually } from '../support/waits.ts';
import { ALICE, BOB } from '../support/contacts.ts';
import { connected, json, pair, type Target } from '../support/wagate-api.ts';

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

type Answer = { chat: string; text: string } & (
  { status: number; id?: string; error?: string } | { status: 'refused' | 'no answer'; cause: string }
);

/** One send as a local app makes it; a connection refused (the port closed) is told apart from one cut mid-request. */
async function sendOne(target: Target, chat: string, text: string): Promise<Answer> {
  try {
    const res = await json(`${target.api}/chats/${chat}/messages`, {
      method: 'POST',
      headers: { authorization: target.key, 'content-type': 'application/json' },
      body: JSON.stringify({ text, typing_simulation: false, presence_simulation: false }),
    });
    return { chat, text, status: res.status, id: res.body.data?.message_id, error: res.body.error };
  } catch (error) {
    const cause = String((error as { cause?: { code?: string } }).cause?.code ?? error);
    return { chat, text, status: cause === 'ECONNREFUSED' ? 'refused' : 'no answer', cause };
  }
}

test('SIGTERM during a burst: every 200 and 202 reaches the contact once after the restart, no 503 does, no request is cut', async (t) => {
  const dataDir = join(tempDir(t), 'data');
  const args = ['serve', '--sandbox', '--port', '0', '--data-dir', dataDir];
  const first = await startWagate(args, [/^API: (\S+)$/m, /^API key \(shown once, keep it\): (\S+)$/m]);
  t.after(() => first.running.stop());
  const [api, key] = first.found as [string, string];
  const target: Target = { api, key, control: `${api}/sandbox`, controlHeaders: { authorization: key } };
  await pair(target);

  const answers: Answer[] = [];
  let acked = 0;
  let onSixth: () => void = () => undefined;
  const sixAcked = new Promise<void>((resolve) => (onSixth = resolve));
  // Three clients per chat, each sending one message after the other until WaGate is gone or says it is stopping.
  const client = async (chat: string, n: number) => {
    for (let i = 0; ; i++) {
      const answer = await sendOne(target, chat, `${chat} client ${n} #${i}`);
      answers.push(answer);
      if (answer.status === 200 && ++acked === 6) onSixth();
      if (typeof answer.status !== 'number' || answer.status === 503) return;
    }
  };
  const clients = [ALICE, BOB].flatMap((chat) => [1, 2, 3].map((n) => client(chat, n)));
  await sixAcked;
  // From here WhatsApp's server acks nothing: the sends in flight are still waiting when the stop comes.
  const hold = await json(`${target.control}/faults`, {
    method: 'POST',
    headers: { ...target.controlHeaders, 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'hold_acks', count: 1000 }),
  });
  assert.equal(hold.status, 200);
  const auth = { headers: { authorization: key } };
  await eventually(
    async () => (await json(`${api}/outbox`, auth)).body.data.some((e: { stage: string }) => e.stage === 'sending'),
    'a message out with no ack',
  );
  const exited = new Promise<number | null>((resolve) => first.running.child.once('exit', resolve));
  first.running.child.kill('SIGTERM');
  // While it drains, the port still answers: a new send is told nothing was sent.
  await eventually(async () => (await fetch(`${api}/health`).catch(() => null))?.status === 503, 'the drain');
  answers.push(await sendOne(target, ALICE, 'sent while WaGate stops'));
  await Promise.all(clients);
  assert.equal(await exited, 0);

  const second = await startWagate(args, [/^API: (\S+)$/m]);
  t.after(() => second.running.stop());
  const again: Target = { ...target, api: second.found[0]!, control: `${second.found[0]!}/sandbox` };
  await connected(again);
  await eventually(
    async () => (await json(`${again.api}/outbox`, auth)).body.data.length === 0,
    'the outbox drained after the restart',
    30_000,
  );

  const counted = (status: Answer['status']) => answers.filter((a) => a.status === status).length;
  for (const a of answers) assert.ok([200, 202, 503, 'refused'].includes(a.status), JSON.stringify(a));
  assert.ok(counted(202) > 0, 'sends waiting for WhatsApp at the stop are answered 202 pending');
  assert.ok(counted(503) > 0, 'a send during the drain is refused');
  for (const chat of [ALICE, BOB]) {
    const inbox = (await json(`${again.control}/contacts/${chat}/inbox`, { headers: again.controlHeaders })).body
      .data as Array<{ message_id: string; text: string }>;
    for (const a of answers.filter((a) => a.chat === chat)) {
      if (a.status === 200 || a.status === 202)
        assert.equal(inbox.filter((m) => m.message_id === a.id).length, 1, `${a.text} (${a.status}) delivered once`);
      else {
        assert.equal(inbox.filter((m) => m.text === a.text).length, 0, `${a.text} (${a.status}) never delivered`);
        if (a.status === 503) assert.match(a.error ?? '', /nothing was sent/, a.text);
      }
    }
    // Each client waited for one answer before its next send: its messages arrive in the order it sent them.
    for (const n of [1, 2, 3]) {
      const mine = (text: string) => text.startsWith(`${chat} client ${n} #`);
      const arrived = inbox.map((m) => m.text ?? '').filter(mine);
      const asked = answers.filter((a) => a.chat === chat && mine(a.text)).map((a) => a.text);
      assert.ok(arrived.length > 0, `client ${n} of ${chat} got messages through`);
      assert.deepEqual(
        arrived,
        asked.filter((text) => arrived.includes(text)),
        `client ${n} of ${chat}, in order`,
      );
    }
  }
});
