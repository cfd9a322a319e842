import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BufferJSON } from '@whiskeysockets/baileys';
import { databaseFile } from '../../server/core.ts';
import { openDatabase } from '../../server/store/database.ts';
import { createCredentialCipher, isSealed } from '../../server/store/credential-cipher.ts';
import { keyContext } from '../../server/store/saved-credentials.ts';
import { postJson, startPairedCore, type TestCore } from '../support/core.ts';
import { ALICE, BOB } from '../support/contacts.ts';
import { eventually, waitForState } from '../support/waits.ts';

/** A plain message to `number`, answered 200 once WhatsApp has it; resolves once the contact's phone shows it. */
async function sendAndSee(h: TestCore, number: string, text: string): Promise<void> {
  const res = await h.call(
    `/chats/${number}/messages`,
    postJson({ text, typing_simulation: false, presence_simulation: false }),
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const id = res.body.data.message_id as string;
  // The simulator decrypts with its own end of each Signal session: a ratchet WaGate lost or misread shows no text.
  await eventually(
    () => h.core.sandbox!.inbox(number).find((m) => m.message_id === id && m.text === text),
    `${number} reads "${text}"`,
  );
}

/** The sandbox's Book club (Alice and Bob): a group send writes our sender key, which every later one moves on. */
const BOOK_CLUB = '120363000000000002@g.us';

/** A message to the group; resolves once the simulator shows it with its text (it decrypts with our sender key). */
async function sendToGroupAndSee(h: TestCore, text: string): Promise<void> {
  const res = await h.call(
    `/chats/${BOOK_CLUB}/messages`,
    postJson({ text, typing_simulation: false, presence_simulation: false }),
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const id = res.body.data.message_id as string;
  await eventually(
    () => h.core.sandbox!.groupInbox(BOOK_CLUB).find((m) => m.message_id === id && m.text === text),
    `the Book club reads "${text}"`,
  );
}

/**
 * Rewrites every Signal key row of the folder as every WaGate before this one wrote it: Baileys' BufferJSON text
 * (`JSON.stringify` with its replacer), sealed under the row's context when there is a key. Returns how many session
 * rows and sender keys there are, and how many rows held another text than that before the rewrite.
 */
function rewriteAsBefore(
  h: TestCore,
  key: Buffer | undefined,
): { sessions: number; senderKeys: number; differed: number } {
  const cipher = key ? createCredentialCipher(key) : null;
  const db = openDatabase(databaseFile({ dataDir: h.dataDir, sandbox: true, waUrl: null }));
  try {
    const rows = db.prepare('SELECT type, id, data FROM wa_keys').all() as { type: string; id: string; data: string }[];
    const update = db.prepare('UPDATE wa_keys SET data = ? WHERE type = ? AND id = ?');
    let differed = 0;
    db.exec('BEGIN IMMEDIATE');
    for (const { type, id, data } of rows) {
      assert.equal(isSealed(data), Boolean(cipher), `${type} ${id} is sealed exactly when there is a key`);
      const context = keyContext(type, id);
      const text = cipher ? cipher.open(data, context) : data;
      const before = JSON.stringify(JSON.parse(text, BufferJSON.reviver), BufferJSON.replacer);
      if (before !== text) differed++;
      update.run(cipher ? cipher.seal(before, context) : before, type, id);
    }
    db.exec('COMMIT');
    const count = (type: string) => rows.filter((row) => row.type === type).length;
    return { sessions: count('session'), senderKeys: count('sender-key'), differed };
  } finally {
    db.close();
  }
}

for (const sealed of [false, true]) {
  test(`Signal keys as earlier versions wrote them (BufferJSON text${sealed ? ', sealed' : ''}) carry on after a restart, and keep that form`, async (t) => {
    const credentialKey = sealed ? randomBytes(32) : undefined;
    const h = await startPairedCore(t, { credentialKey });
    await sendAndSee(h, ALICE, 'first to Alice');
    await sendAndSee(h, BOB, 'first to Bob');
    await sendToGroupAndSee(h, 'first to the Book club');

    let written = { sessions: 0, senderKeys: 0, differed: -1 };
    await h.restart(() => (written = rewriteAsBefore(h, credentialKey)));
    assert.ok(written.sessions >= 2, `sessions with Alice and Bob were stored (${written.sessions})`);
    assert.equal(written.senderKeys, 1, 'our sender key for the Book club was stored');
    assert.equal(written.differed, 0, 'what this version wrote is the text earlier versions wrote');

    await waitForState(h.core, 'connected');
    for (let i = 0; i < 3; i++) {
      await sendAndSee(h, ALICE, `after the restart to Alice #${i}`);
      await sendAndSee(h, BOB, `after the restart to Bob #${i}`);
      await sendToGroupAndSee(h, `after the restart to the Book club #${i}`);
    }
    await h.restart(() => (written = rewriteAsBefore(h, credentialKey)));
    assert.equal(written.differed, 0, 'the session records and sender key written since are that text too');
    await waitForState(h.core, 'connected');
    await sendAndSee(h, ALICE, 'after the second restart');
  });
}
