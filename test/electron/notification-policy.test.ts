import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createNotificationPolicy, type DesktopNotice } from '../../electron/notification-policy.ts';
import { snapshot } from './snapshot.ts';

function policy(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const notices: DesktopNotice[] = [];
  const p = createNotificationPolicy({
    notify: (n) => notices.push(n),
    dropAfterMs: 30_000,
    timers: { setTimeout, clearTimeout },
  });
  return { p, notices, kinds: () => notices.map((n) => n.kind), wait: (ms: number) => t.mock.timers.tick(ms) };
}

test('a short reconnect is silent; a drop that lasts is announced once, and its end too', (t) => {
  const { p, kinds, notices, wait } = policy(t);
  p.update(snapshot('connected'));
  p.update(snapshot('reconnecting', { last_error: 'Connection lost' }));
  wait(10_000);
  p.update(snapshot('connected'));
  wait(60_000);
  assert.deepEqual(kinds(), [], 'a 10 s blip says nothing');

  p.update(snapshot('reconnecting', { last_error: 'Connection lost' }));
  wait(29_999);
  assert.deepEqual(kinds(), []);
  wait(1);
  assert.deepEqual(kinds(), ['dropped']);
  assert.match(notices[0]!.body, /offline for 30 s \(Connection lost\)/);
  p.update(snapshot('connecting'));
  p.update(snapshot('reconnecting'));
  wait(120_000);
  assert.deepEqual(kinds(), ['dropped'], 'one notice per drop');
  p.update(snapshot('connected'));
  assert.deepEqual(kinds(), ['dropped', 'back']);
});

test('a log-out from the phone is announced at once, and linking again says it is back', (t) => {
  const { p, kinds, wait } = policy(t);
  p.update(snapshot('connected'));
  p.update(snapshot('logged_out'));
  p.update(snapshot('qr'));
  wait(60_000);
  assert.deepEqual(kinds(), ['logged_out']);
  p.update(snapshot('connecting'));
  p.update(snapshot('connected'));
  assert.deepEqual(kinds(), ['logged_out', 'back']);
});

test('a drop that turns into a log-out gets both notices', (t) => {
  const { p, kinds, wait } = policy(t);
  p.update(snapshot('connected'));
  p.update(snapshot('reconnecting'));
  wait(30_000);
  p.update(snapshot('logged_out'));
  assert.deepEqual(kinds(), ['dropped', 'logged_out']);
});

test('a session replaced elsewhere is announced at once', (t) => {
  const { p, kinds } = policy(t);
  p.update(snapshot('connected'));
  p.update(snapshot('replaced'));
  assert.deepEqual(kinds(), ['replaced']);
});

test('nothing before the first link: first-run pairing and a slow first connect are not drops', (t) => {
  const { p, kinds, wait } = policy(t);
  p.update(snapshot('starting'));
  p.update(snapshot('qr'));
  p.update(snapshot('connecting'));
  wait(120_000);
  p.update(snapshot('connected'));
  assert.deepEqual(kinds(), []);
});

test('quitting (dispose) cancels a pending drop notice', (t) => {
  const { p, kinds, wait } = policy(t);
  p.update(snapshot('connected'));
  p.update(snapshot('reconnecting'));
  p.dispose();
  p.update(snapshot('stopped'));
  wait(120_000);
  assert.deepEqual(kinds(), []);
});
