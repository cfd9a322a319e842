import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMessageStore } from '../../server/store/messages.ts';
import { createPacingHistory } from '../../server/store/pacing-history.ts';
import { tempDatabase } from '../support/temp-database.ts';
import type { StoredMessage } from '../../server/contract/messages.ts';

const CHAT = '15557770001@s.whatsapp.net';

const outbound = (id: string, timestamp: number): StoredMessage => ({
  message_id: id,
  chat_jid: CHAT,
  chat_lid: null,
  direction: 'outbound',
  sender: '15559990000@s.whatsapp.net',
  quoted_message_id: null,
  timestamp,
  status: 'queued',
  kind: 'text',
  text: id,
});

test('after a restart pacing counts what left: sent, and refused by the server; not what was cancelled or never left', (t) => {
  const { db } = tempDatabase(t);
  const messages = createMessageStore(db);
  const history = createPacingHistory(db);
  const ids = ['sent', 'refused', 'cancelled', 'expired', 'not-on-whatsapp', 'unlinked', 'queued'];
  ids.forEach((id, i) => messages.insert(outbound(id, 1000 + i)));
  messages.setStatus('sent', 'sent', 1100);
  messages.setStatus('refused', 'failed', 1101, 'server_rejected:463');
  messages.setStatus('cancelled', 'failed', 1102, 'cancelled');
  messages.setStatus('expired', 'failed', 1103, 'expired');
  messages.setStatus('not-on-whatsapp', 'failed', 1104, 'not_on_whatsapp');
  messages.setStatus('unlinked', 'failed', 1105, 'logged_out');
  assert.deepEqual(history.sentSince(0), [
    { chat: CHAT, at: 1_001_000, newChat: true },
    { chat: CHAT, at: 1_100_000, newChat: true },
  ]);
});
