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

test('the microphone alone is granted to the dashboard, for voice notes; the camera never', () => {
  assert.equal(isPermissionGranted('media', `${APP}/send`, APP, ['audio']), true);
  assert.equal(isPermissionGranted('media', `${APP}/send`, APP, ['audio', 'video']), false);
  assert.equal(isPermissionGranted('media', `${APP}/send`, APP, ['video']), false);
  assert.equal(isPermissionGranted('media', `${APP}/send`, APP, []), false);
  assert.equal(isPermissionGranted('media', 'https://example.com/', APP, ['audio']), false);
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
    d: { requestingUrl: string; mediaTypes?: string[] },
  ) => void;
  const answers: boolean[] = [];
  request(null, 'media', (ok) => answers.push(ok), { requestingUrl: `${APP}/`, mediaTypes: ['video'] });
  request(null, 'media', (ok) => answers.push(ok), { requestingUrl: `${APP}/`, mediaTypes: ['audio'] });
  request(null, 'clipboard-sanitized-write', (ok) => answers.push(ok), { requestingUrl: `${APP}/` });
  assert.deepEqual(answers, [false, true, true]);
  const check = handlers.check as (c: unknown, p: string, origin: string, d?: { mediaType?: string }) => boolean;
  assert.equal(check(null, 'media', APP, { mediaType: 'video' }), false);
  assert.equal(check(null, 'media', APP, { mediaType: 'audio' }), true);
  assert.equal(check(null, 'notifications', APP), false);
  assert.equal(check(null, 'clipboard-sanitized-write', APP), true);
  assert.equal((handlers.device as (d: unknown) => boolean)({}), false);
});
