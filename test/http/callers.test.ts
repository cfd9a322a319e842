import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandboxCore, type TestCore } from '../support/core.ts';

/**
 * Who may call, as the real core decides it: the forms of an API key's header, reads by the dashboard's session from
 * anywhere, and a caller who loses the right while an event stream is open.
 */
let h: TestCore;
before(async (t) => {
  h = await startSandboxCore(t);
});

test('"Bearer" in any case and with any spaces around the key, or the bare key: all open', async () => {
  for (const header of [`Bearer ${h.key}`, `bearer ${h.key}`, `BEARER   ${h.key}  `, `  ${h.key}`]) {
    const res = await h.call('/session', { auth: header });
    assert.equal(res.status, 200, `${JSON.stringify(header.replace(h.key, 'KEY'))} → ${JSON.stringify(res.body)}`);
  }
  assert.equal((await h.call('/session', { auth: `Basic ${h.key}` })).status, 401, 'another scheme is not a key');
});

test('the dashboard session reads from anywhere (GET and HEAD are not writes); only its writes need the same origin', async () => {
  const cookie = `wagate_admin=${h.core.admin.createSession()}`;
  const crossSite = { cookie, 'sec-fetch-site': 'cross-site' };
  for (const method of ['GET', 'HEAD']) {
    const res = await h.call('/session', { method, auth: false, headers: crossSite });
    assert.equal(res.status, 200, method);
  }
  const write = await h.call('/session/logout', { method: 'POST', auth: false, headers: crossSite });
  assert.equal(write.status, 401);
});

/** An open `GET /events` stream; `rest()` reads it to its end (within 10 s) and answers all it got. */
async function openEvents(headers: Record<string, string>, auth: string | false) {
  const controller = new AbortController();
  const res = await fetch(`${h.core.url}/events`, {
    headers: { ...headers, ...(auth ? { authorization: auth } : {}) },
    signal: controller.signal,
  });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = decoder.decode((await reader.read()).value, { stream: true });
  return {
    async rest(): Promise<string> {
      const timer = setTimeout(() => controller.abort(), 10_000);
      try {
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
          text += decoder.decode(chunk.value, { stream: true });
      } finally {
        clearTimeout(timer);
      }
      return text;
    },
  };
}

const status = (id: string) =>
  h.core.events.emit('message.status', {
    message_id: id,
    chat_jid: '15550001111@s.whatsapp.net',
    status: 'read',
    at: 1,
  });

test('a key revoked while its event stream is open: the stream ends and gets nothing more', async () => {
  const { key, record } = h.core.keys.create({ name: 'stream', expiresAt: null });
  const stream = await openEvents({}, key);
  h.core.keys.revoke(record.id);
  status('AFTER-REVOKE');
  const text = await stream.rest();
  assert.doesNotMatch(text, /AFTER-REVOKE/);
});

test('a dashboard signed out while its event stream is open: the stream ends and gets nothing more', async () => {
  const session = h.core.admin.createSession();
  const stream = await openEvents({ cookie: `wagate_admin=${session}` }, false);
  h.core.admin.endSession(session);
  status('AFTER-SIGN-OUT');
  const text = await stream.rest();
  assert.doesNotMatch(text, /AFTER-SIGN-OUT/);
});
