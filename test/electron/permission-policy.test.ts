import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from 'electron';
import { applyPermissionPolicy, isPermissionGranted } from '../../electron/permission-policy.ts';

const APP = 'http://127.0.0.1:7001';

test('the dashboard may write to the clipboard and nothing else; other origins get nothing', () => {
  assert.equal(isPermissionGranted('clipboard-sanitized-write', 'http://127.0.0.1:7001/keys', APP), true);
  assert.equal(isPermissionGranted('clipboard-sanitized-write', 'https://example.com/', APP), false);
  for (const permission of [
    'media',
    'geolocation',
    'notifications',
    'clipboard-read',
    'openExternal',
    'hid',
    'usb',
    'serial',
    'unknown',
  ]) {
    assert.equal(isPermissionGranted(permission, 'http://127.0.0.1:7001/', APP), false, permission);
  }
});

test('the handlers installed on the session answer by that rule, devices included', () => {
  const handlers: Record<string, (...args: never[]) => unknown> = {};
  const session = {
    setPermissionRequestHandler: (handler: never) => (handlers.request = handler),
    setPermissionCheckHandler: (handler: never) => (handlers.check = handler),
    setDevicePermissionHandler: (handler: never) => (handlers.device = handler),
  };
  applyPermissionPolicy(session as unknown as Session, APP);
  const request = handlers.request as (
    c: unknown,
    p: string,
    cb: (ok: boolean) => void,
    d: { requestingUrl: string },
  ) => void;
  const answers: boolean[] = [];
  request(null, 'media', (ok) => answers.push(ok), { requestingUrl: `${APP}/` });
  request(null, 'clipboard-sanitized-write', (ok) => answers.push(ok), { requestingUrl: `${APP}/` });
  assert.deepEqual(answers, [false, true]);
  const check = handlers.check as (c: unknown, p: string, origin: string) => boolean;
  assert.equal(check(null, 'notifications', APP), false);
  assert.equal(check(null, 'clipboard-sanitized-write', APP), true);
  assert.equal((handlers.device as (d: unknown) => boolean)({}), false);
});
