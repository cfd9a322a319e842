import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IpcMainInvokeEvent } from 'electron';
import { GET_INFO_CHANNEL, type DesktopInfo } from '../../server/contract/desktop.ts';
import { registerDesktopIpc } from '../../electron/desktop-ipc.ts';

const APP = 'http://127.0.0.1:7001';
const INFO: DesktopInfo = { version: '0.1.0', platform: 'linux', credentialProtection: null, portNotice: null };

function registered() {
  const handlers = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown>();
  registerDesktopIpc(
    { handle: (channel: string, handler: never) => void handlers.set(channel, handler) },
    APP,
    () => INFO,
  );
  return handlers;
}

const from = (url: string, parent: object | null = null) =>
  ({ senderFrame: { url, parent } }) as unknown as IpcMainInvokeEvent;

test('the dashboard top frame gets the info; the one channel is all there is', () => {
  const handlers = registered();
  assert.deepEqual([...handlers.keys()], [GET_INFO_CHANNEL]);
  assert.deepEqual(handlers.get(GET_INFO_CHANNEL)!(from(`${APP}/keys`)), INFO);
});

test('another origin, a subframe, a gone frame or extra arguments are refused', () => {
  const handler = registered().get(GET_INFO_CHANNEL)!;
  assert.throws(() => handler(from('https://example.com/')), /refused/);
  assert.throws(() => handler(from('http://127.0.0.1:7002/')), /refused/);
  assert.throws(() => handler(from(`${APP}/`, {})), /refused/, 'an iframe, even of our origin');
  assert.throws(() => handler({ senderFrame: null } as unknown as IpcMainInvokeEvent), /refused/);
  assert.throws(() => handler(from(`${APP}/`), 'extra'), /no arguments/);
});
