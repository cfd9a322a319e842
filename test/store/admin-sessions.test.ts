import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdminSessions } from '../../server/store/admin-sessions.ts';
import { tempDatabase } from '../support/temp-database.ts';

test('a login token is redeemed once, within its lifetime, for a session that another process sees', (t) => {
  const { db: server, open } = tempDatabase(t);
  const cli = open();
  let now = 10_000;
  const sessions = createAdminSessions(server, () => now);
  const token = createAdminSessions(cli, () => now).issueLoginToken();
  const cookie = sessions.redeemLoginToken(token);
  assert.ok(cookie);
  assert.ok(sessions.isValidSession(cookie));
  assert.equal(sessions.redeemLoginToken(token), null, 'a token works once');
  assert.equal(sessions.isValidSession('forged'), false);
  assert.equal(sessions.isValidSession(undefined), false);
  const late = sessions.issueLoginToken();
  now += 16 * 60_000;
  assert.equal(sessions.redeemLoginToken(late), null, 'a token is only good for 15 minutes');
});
