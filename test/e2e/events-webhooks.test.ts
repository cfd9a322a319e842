import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPairedCore, postJson, type TestCore } from '../support/core.ts';
import { ALICE } from '../support/contacts.ts';
import { eventually } from '../support/waits.ts';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { startReceiver, freePort, type Receiver } from '../support/webhook-receiver.ts';

let h: TestCore;
const receivers: Receiver[] = [];

before(async (t) => {
  h = await startPairedCore(t);
});
after(() => Promise.all(receivers.map((r) => r.close())));

/** Reads an SSE response into frames until `until` holds for the frames so far (bounded by the caller's timeout). */
async function readSse(
  res: Response,
  until: (frames: Array<{ id: string; event: string; data: any }>) => boolean,
  timeoutMs = 15_000,
) {
  const frames: Array<{ id: string; event: string; data: any }> = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const timer = setTimeout(() => reader.cancel(), timeoutMs);
  let buffer = '';
  try {
    while (!until(frames)) {
      const chunk = await reader.read();
      if (chunk.done) throw new Error(`stream ended after ${JSON.stringify(frames)}`);
      buffer += decoder.decode(chunk.value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const fields = Object.fromEntries(
          buffer
            .slice(0, end)
            .split('\n')
            .filter((l) => !l.startsWith(':'))
            .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
        );
        buffer = buffer.slice(end + 2);
        if (fields.data && fields.id)
          frames.push({ id: fields.id, event: fields.event ?? 'message', data: JSON.parse(fields.data) });
      }
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
  return frames;
}

test("a contact's message reaches an SSE client and a signed webhook; a sent message's every step, queued to read, reaches the webhook", async () => {
  const r = await startReceiver();
  receivers.push(r);
  const { secret } = h.core.webhooks.add({ url: r.url });
  const controller = new AbortController();
  const stream = await fetch(`${h.core.url}/events?types=message.received,message.status`, {
    headers: { authorization: h.key },
    signal: controller.signal,
  });
  assert.equal(stream.status, 200);

  const incoming = await h.call(`/sandbox/contacts/${ALICE}/messages`, postJson({ text: 'Hi from Alice' }));
  assert.equal(incoming.status, 201, JSON.stringify(incoming.body));
  const frames = await readSse(stream, (f) => f.some((x) => x.event === 'message.received'));
  controller.abort();
  assert.equal(frames[0]!.data.data.text, 'Hi from Alice');

  const got = await eventually(
    () => r.received.find((x) => x.headers['wagate-event'] === 'message.received'),
    'the webhook delivery',
  );
  // Verified by Standard Webhooks' own library, not by WaGate's code: a signing bug cannot hide behind itself.
  assert.deepEqual(new Webhook(secret).verify(got.body, got.headers), JSON.parse(got.body));
  assert.throws(
    () => new Webhook(secret).verify(got.body.replace('Alice', 'Mallory'), got.headers),
    WebhookVerificationError,
  );
  assert.equal(JSON.parse(got.body).id, Number(frames[0]!.id), 'the same event id on both channels');

  const sent = await h.call(
    `/chats/${ALICE}/messages`,
    postJson({ text: 'Hello Alice', typing_simulation: false, presence_simulation: false }),
  );
  const id = sent.body.data.message_id as string;
  await eventually(() => h.core.sandbox!.inbox(ALICE).find((m) => m.message_id === id), 'the message in the inbox');
  for (const type of ['delivered', 'read'] as const) {
    assert.equal((await h.call(`/sandbox/contacts/${ALICE}/receipts`, postJson({ message_id: id, type }))).status, 200);
  }
  const statuses = await eventually(() => {
    const seen = r.received
      .map((x) => JSON.parse(x.body))
      .filter((b) => b.type === 'message.status' && b.data.message_id === id)
      .map((b) => b.data.status);
    return seen.includes('read') ? seen : undefined;
  }, 'read by webhook');
  assert.deepEqual(statuses, ['queued', 'sending', 'sent', 'delivered', 'read'], 'every step, in order');
});

test('a receiver down across a WaGate restart gets the delivery once when it is back', async () => {
  const port = await freePort();
  const { webhook, secret } = h.core.webhooks.add({
    url: `http://127.0.0.1:${port}/hook`,
    events: ['message.received'],
  });
  await h.call(`/sandbox/contacts/${ALICE}/messages`, postJson({ text: 'while you were down' }));
  await eventually(() => h.core.webhooks.deliveries(webhook.id).find((d) => d.status === 'failed'), 'a failed attempt');
  await h.restart();
  const r = await startReceiver(port);
  receivers.push(r);
  // The restarted core picks the queue up from SQLite: the retry is due within the backoff (5 s, then 10 s at most).
  await eventually(
    () => (h.core.webhooks.deliveries(webhook.id)[0]?.status === 'delivered' ? true : undefined),
    'the delivery after the restart',
    25_000,
  );
  const texts = r.received.map((x) => JSON.parse(x.body).data.text);
  assert.deepEqual(texts, ['while you were down']);
  assert.equal(r.received[0]!.headers['webhook-id'], h.core.webhooks.deliveries(webhook.id)[0]!.id);
  assert.deepEqual(
    new Webhook(secret).verify(r.received[0]!.body, r.received[0]!.headers),
    JSON.parse(r.received[0]!.body),
  );
});
