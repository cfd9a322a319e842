import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandboxCore, postJson } from '../support/core.ts';
import { ALICE } from '../support/contacts.ts';
import { waitForState } from '../support/waits.ts';

test('linking with a phone-number code instead of the QR, through the API', async (t) => {
  const h = await startSandboxCore(t);
  await waitForState(h.core, 'qr');
  const asked = await h.call('/session/pairing-code', postJson({ phone_number: '+1 555 999 0000' }));
  assert.equal(asked.status, 200, JSON.stringify(asked.body));
  const code = asked.body.data.code as string;
  assert.match(code, /^[A-Z0-9]{8}$/);

  const wrong = await h.call(
    '/sandbox/phone/pairing-code',
    postJson({ code: code === 'ZZZZZZZZ' ? 'YYYYYYYY' : 'ZZZZZZZZ' }),
  );
  assert.equal(wrong.status, 404);
  assert.equal(h.core.session.snapshot().state, 'qr', 'a wrong code links nothing');

  const typed = await h.call('/sandbox/phone/pairing-code', postJson({ code: `${code.slice(0, 4)}-${code.slice(4)}` }));
  assert.equal(typed.status, 200, JSON.stringify(typed.body));
  await waitForState(h.core, 'connected');
  assert.equal(h.core.session.snapshot().account?.number, '15559990000');
  const sent = await h.call(`/chats/${ALICE}/messages`, postJson({ text: 'linked by code', typing_simulation: false }));
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
});

test('asking for a pairing code without a usable phone number is a 400', async (t) => {
  const h = await startSandboxCore(t);
  await waitForState(h.core, 'qr');
  assert.equal((await h.call('/session/pairing-code', postJson({ phone_number: 'call me' }))).status, 400);
  assert.equal((await h.call('/session/pairing-code', postJson({}))).status, 400);
});
