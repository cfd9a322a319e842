import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needsPairing, pacingLine, trayIconFile, trayLook } from '../../electron/tray-state.ts';
import { snapshot } from './snapshot.ts';
import type { SessionState } from '../../server/contract/session.ts';

const account = { jid: '6281234567890@s.whatsapp.net', number: '6281234567890', name: 'Shop' };

test('a linked session shows the linked icon and names the account', () => {
  const look = trayLook({ kind: 'session', snapshot: snapshot('connected', { account }) });
  assert.equal(look.icon, 'linked');
  assert.equal(look.status, 'Linked to Shop (+6281234567890)');
  assert.equal(look.tooltip, 'WaGate: Linked to Shop (+6281234567890)');
  const unnamed = trayLook({
    kind: 'session',
    snapshot: snapshot('connected', { account: { ...account, name: null } }),
  });
  assert.equal(unnamed.status, 'Linked to +6281234567890');
});

test('every session state maps to one of the four looks, with words for each', () => {
  const expected: Record<SessionState, string> = {
    starting: 'disconnected',
    qr: 'pairing',
    connecting: 'disconnected',
    connected: 'linked',
    reconnecting: 'disconnected',
    logged_out: 'pairing',
    replaced: 'error',
    stopped: 'disconnected',
  };
  for (const [state, icon] of Object.entries(expected) as [SessionState, string][]) {
    const look = trayLook({ kind: 'session', snapshot: snapshot(state) });
    assert.equal(look.icon, icon, state);
    assert.ok(look.status.length > 0 && look.tooltip.startsWith('WaGate: '), state);
  }
});

test('reconnecting says why the connection closed', () => {
  const look = trayLook({ kind: 'session', snapshot: snapshot('reconnecting', { last_error: 'Connection lost' }) });
  assert.equal(look.status, 'Reconnecting to WhatsApp: Connection lost');
});

test('a core that could not start shows the error icon with the reason, cut to what Windows can show', () => {
  const look = trayLook({ kind: 'failed', reason: 'Port 7001 is used by another program.' });
  assert.equal(look.icon, 'error');
  assert.equal(look.tooltip, 'WaGate: Port 7001 is used by another program.');
  const long = trayLook({ kind: 'failed', reason: 'x'.repeat(300) });
  assert.equal(long.tooltip.length, 127);
  assert.ok(long.tooltip.endsWith('…'));
  assert.equal(trayLook({ kind: 'starting' }).icon, 'disconnected');
});

test('macOS gets Template images, the others the coloured ones', () => {
  assert.equal(trayIconFile('linked', 'darwin'), 'linkedTemplate.png');
  assert.equal(trayIconFile('error', 'win32'), 'error.png');
  assert.equal(trayIconFile('pairing', 'linux'), 'pairing.png');
});

test('pairing is needed while a QR code waits and after a log-out, not otherwise', () => {
  assert.equal(needsPairing(snapshot('qr')), true);
  assert.equal(needsPairing(snapshot('logged_out')), true);
  for (const state of ['starting', 'connecting', 'connected', 'reconnecting', 'replaced', 'stopped'] as const) {
    assert.equal(needsPairing(snapshot(state)), false, state);
  }
});

test('a reach-out time lock shows in plain words with its end, and the error icon: new chats are refused', () => {
  const until = Math.floor(Date.now() / 1000) + 3600;
  const look = trayLook({
    kind: 'session',
    snapshot: snapshot('connected', { account, reachout_timelock: { until, enforcement_type: 'DEFAULT' } }),
  });
  assert.equal(look.icon, 'error');
  assert.equal(look.status, 'Linked to Shop (+6281234567890)');
  assert.equal(look.warnings.length, 1);
  assert.match(look.warnings[0]!, /^WhatsApp is limiting messages to new chats until .*\d\d.\d\d/);
  assert.equal(look.tooltip, `WaGate: ${look.warnings[0]}`);
});

test('a cap warning is a line of its own but keeps the linked icon; a reached cap is a restriction', () => {
  const capping = { status: 'first_warning' as const, used: 40, quota: 50, cycle_ends_at: null };
  const warned = trayLook({ kind: 'session', snapshot: snapshot('connected', { account, message_capping: capping }) });
  assert.equal(warned.icon, 'linked');
  assert.deepEqual(warned.warnings, [
    'This number is close to WhatsApp’s cap on messages to new chats (40 of 50 used)',
  ]);
  const capped = trayLook({
    kind: 'session',
    snapshot: snapshot('connected', { account, message_capping: { ...capping, status: 'capped', used: 50 } }),
  });
  assert.equal(capped.icon, 'error');
  assert.deepEqual(capped.warnings, ['WhatsApp has capped messages to new chats (50 of 50 used)']);
});

test('pacing in words: how many wait, and when the next leaves when pacing knows', () => {
  assert.equal(pacingLine({ waiting: 0, next_at: null }), null);
  assert.equal(pacingLine({ waiting: 1, next_at: null }), '1 message held back by pacing');
  const at = Date.UTC(2026, 11, 1, 21, 30) / 1000;
  const line = pacingLine({ waiting: 3, next_at: at })!;
  const time = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
  assert.equal(line, `3 messages held back by pacing; the next leaves at ${time.format(at * 1000)}`);
});
