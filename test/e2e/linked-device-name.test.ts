import { test } from 'node:test';
import assert from 'node:assert/strict';
import { platform } from 'node:os';
import { startPairedCore } from '../support/core.ts';

/** What WhatsApp's own Linked devices list calls each system (Baileys' names; Linux says Ubuntu). */
const SYSTEM_NAMES: Record<string, string> = { darwin: 'Mac OS', win32: 'Windows', linux: 'Ubuntu' };

test('the phone lists WaGate under the system it runs on, not always as Mac OS', async (t) => {
  const h = await startPairedCore(t);
  const devices = h.core.sandbox!.phone().linked_devices;
  assert.equal(devices.length, 1);
  assert.equal(devices[0]!.platform, SYSTEM_NAMES[platform()] ?? 'Ubuntu');
});
