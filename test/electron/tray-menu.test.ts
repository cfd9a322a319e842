import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MenuItem, MenuItemConstructorOptions } from 'electron';
import { trayMenuTemplate, type TrayMenuActions } from '../../electron/tray-menu.ts';
import { pacingLine, trayLook } from '../../electron/tray-state.ts';
import { snapshot } from './snapshot.ts';

function recorder(): { calls: string[]; actions: TrayMenuActions } {
  const calls: string[] = [];
  return {
    calls,
    actions: {
      open: () => calls.push('open'),
      copyApiAddress: () => calls.push('copy'),
      setStartAtLogin: (enabled) => calls.push(`login:${enabled}`),
      quit: () => calls.push('quit'),
    },
  };
}

const click = (item: MenuItemConstructorOptions, checked = false) =>
  item.click!({ checked } as MenuItem, undefined, { triggeredByAccelerator: false } as never);

test('the menu: Open, the state line, Copy API address, Start at login, Quit, in that order', () => {
  const { actions } = recorder();
  const look = trayLook({ kind: 'session', snapshot: snapshot('qr') });
  const menu = trayMenuTemplate({ look, notice: null, apiUrl: 'http://127.0.0.1:7001', startAtLogin: false, actions });
  const labelled = menu.filter((item) => item.type !== 'separator');
  assert.deepEqual(
    labelled.map((item) => item.label),
    [
      'Open WaGate',
      'Needs pairing: scan the QR code in WaGate',
      'Copy API address (http://127.0.0.1:7001)',
      'Start at login',
      'Quit WaGate',
    ],
  );
  const status = menu.find((item) => item.id === 'status')!;
  assert.equal(status.enabled, false, 'the state line is information, not a button');
  const login = menu.find((item) => item.id === 'start-at-login')!;
  assert.equal(login.type, 'checkbox');
  assert.equal(login.checked, false);
});

test('each item calls its action; the checkbox passes its new state', () => {
  const { calls, actions } = recorder();
  const look = trayLook({ kind: 'starting' });
  const menu = trayMenuTemplate({ look, notice: null, apiUrl: 'http://127.0.0.1:7001', startAtLogin: true, actions });
  const byId = (id: string) => menu.find((item) => item.id === id)!;
  assert.equal(byId('start-at-login').checked, true);
  click(byId('open'));
  click(byId('copy-api-address'));
  click(byId('start-at-login'), false);
  click(byId('quit'));
  assert.deepEqual(calls, ['open', 'copy', 'login:false', 'quit']);
});

test('without a running core the address cannot be copied; without a login item the checkbox is disabled', () => {
  const { actions } = recorder();
  const look = trayLook({ kind: 'failed', reason: 'Port 7001 is taken' });
  const menu = trayMenuTemplate({ look, notice: null, apiUrl: null, startAtLogin: null, actions });
  const byId = (id: string) => menu.find((item) => item.id === id)!;
  assert.equal(byId('copy-api-address').enabled, false);
  assert.equal(byId('copy-api-address').label, 'Copy API address');
  assert.equal(byId('start-at-login').enabled, false);
  assert.equal(byId('status').label, 'Port 7001 is taken');
  assert.equal(byId('quit').enabled, undefined, 'Quit always works');
});

test('a notice, such as a moved port, is a line of its own under the state', () => {
  const { actions } = recorder();
  const look = trayLook({ kind: 'starting' });
  const menu = trayMenuTemplate({
    look,
    notice: 'Port 7001 was taken, so the API is on port 7002.',
    apiUrl: null,
    startAtLogin: null,
    actions,
  });
  assert.deepEqual(
    menu.slice(0, 3).map((item) => item.id),
    ['open', 'status', 'notice'],
  );
  assert.equal(menu[2]!.enabled, false);
});

test('what WhatsApp says about the number is a line of its own under the state line', () => {
  const { actions } = recorder();
  const lock = { until: null, enforcement_type: 'DEFAULT' };
  const look = trayLook({ kind: 'session', snapshot: snapshot('connected', { reachout_timelock: lock }) });
  const menu = trayMenuTemplate({ look, notice: null, apiUrl: null, startAtLogin: null, actions });
  const ids = menu.map((item) => item.id);
  assert.equal(ids.indexOf('warning-0'), ids.indexOf('status') + 1);
  const warning = menu.find((item) => item.id === 'warning-0')!;
  assert.equal(warning.label, 'WhatsApp is limiting messages to new chats for now');
  assert.equal(warning.enabled, false);
});

test('what pacing holds back is a line under the state, and no line while it holds nothing', () => {
  const { actions } = recorder();
  const look = trayLook({ kind: 'session', snapshot: snapshot('connected') });
  const held = trayMenuTemplate({
    look,
    notice: null,
    pacing: pacingLine({ waiting: 2, next_at: null }),
    apiUrl: null,
    startAtLogin: null,
    actions,
  });
  const line = held.find((item) => item.id === 'pacing')!;
  assert.equal(line.label, '2 messages held back by pacing');
  assert.equal(line.enabled, false);
  assert.equal(held.indexOf(line), held.findIndex((item) => item.id === 'status') + 1);
  const none = pacingLine({ waiting: 0, next_at: null });
  assert.equal(none, null);
  const free = trayMenuTemplate({ look, notice: null, pacing: none, apiUrl: null, startAtLogin: null, actions });
  assert.ok(!free.some((item) => item.id === 'pacing'));
});
