import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairThroughApi, startSandboxCore } from '../support/core.ts';

test('revoking a key ends its open event stream before the next event reaches it', async (t) => {
  const h = await startSandboxCore(t);
  const { key, record } = h.core.keys.create({ name: 'listener', expiresAt: null });
  const res = await fetch(`${h.core.url}/events?types=session.state`, { headers: { authorization: key } });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let received = '';
  const drained = (async () => {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) return;
      received += decoder.decode(chunk.value, { stream: true });
    }
  })();

  h.core.keys.revoke(record.id);
  await pairThroughApi(h);
  const ended = await Promise.race([
    drained.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
  ]);
  assert.equal(ended, true, 'the server ended the stream');
  assert.doesNotMatch(received, /"state":"connected"/, 'nothing after the revocation was delivered');
});
