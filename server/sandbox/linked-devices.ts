import { unixSeconds } from '../contract/time.ts';
import { node, userOf } from './frames.ts';
import type { SandboxState } from './sandbox-state.ts';
import type { PhoneView } from './virtual-phone.ts';

/** The phone and its linked devices, with whether each is logged in right now. */
export function phoneView(state: SandboxState): PhoneView {
  const p = state.phone;
  return {
    number: p.number,
    name: p.name,
    jid: state.phoneJid,
    lid: `${p.lid}@lid`,
    linked_devices: p.devices.map((d) => ({
      device: d.device,
      jid: `${p.number}:${d.device}@s.whatsapp.net`,
      lid: `${p.lid}:${d.device}@lid`,
      platform: d.platform,
      linked_at: unixSeconds(d.linkedAt),
      connected: [...state.connections].some((c) => c.device?.device === d.device && c.loggedIn && c.open),
    })),
  };
}

/** Forgets a linked device and ends its sessions with `401 device_removed`. */
export function removeDevice(state: SandboxState, jid: string, why: string): void {
  const u = userOf(jid);
  if (!u) return;
  const idx = state.phone.devices.findIndex((d) => d.device === u.device);
  if (idx < 0) return;
  state.phone.devices.splice(idx, 1);
  state.savePhone();
  state.logger.info(`device ${u.device} removed: ${why}`);
  for (const c of state.connections) {
    if (c.device?.device === u.device) {
      c.loggedIn = false;
      c.end(node('stream:error', { code: '401' }, [node('conflict', { type: 'device_removed' })]));
    }
  }
}

/** The phone removes every linked device. */
export async function unlink(state: SandboxState): Promise<void> {
  for (const d of [...state.phone.devices])
    removeDevice(state, `${state.phone.number}:${d.device}@s.whatsapp.net`, 'unlinked from the phone');
}
