import { type BinaryNode, beUint, bytes, child, children, userOf } from './frames.ts';
import type { Connection } from './connection.ts';
import type { SandboxState } from './sandbox-state.ts';
import type { WireBundle } from './signal-device.ts';
import type { LinkedDevice } from './virtual-phone.ts';

export function preKeyCount(state: SandboxState, conn: Connection): number {
  const d = state.liveDevice(conn);
  return d ? Object.keys(d.preKeys).length : 0;
}

/** `<iq xmlns="encrypt" type="set">` with a prekey list (and its registration id, identity and signed prekey). */
export function storeUploadedKeys(state: SandboxState, conn: Connection, iq: BinaryNode): void {
  const d = state.liveDevice(conn);
  if (!d) return;
  const reg = bytes(child(iq, 'registration'));
  if (reg) d.registrationId = beUint(reg);
  const ident = bytes(child(iq, 'identity'));
  if (ident) d.identityKey = ident;
  for (const k of children(child(iq, 'list'), 'key')) {
    const id = beUint(bytes(child(k, 'id')));
    const value = bytes(child(k, 'value'));
    if (value) d.preKeys[String(id)] = value;
  }
  storeRotatedSignedPreKey(state, conn, child(iq, 'skey'));
  state.savePhone();
}

export function storeRotatedSignedPreKey(state: SandboxState, conn: Connection, skey: BinaryNode | undefined): void {
  const d = state.liveDevice(conn);
  if (!d || !skey) return;
  const value = bytes(child(skey, 'value'));
  const signature = bytes(child(skey, 'signature'));
  if (!value || !signature) return;
  d.signedPreKey = { keyId: beUint(bytes(child(skey, 'id'))), public: value, signature };
  state.savePhone();
}

/** Hands out a linked device's uploaded bundle, consuming one of its one-time prekeys. */
export function linkedBundle(state: SandboxState, d: LinkedDevice): WireBundle {
  const ids = Object.keys(d.preKeys)
    .map(Number)
    .sort((a, b) => a - b);
  const first = ids[0];
  let preKey: WireBundle['preKey'];
  if (first !== undefined) {
    preKey = { keyId: first, public: d.preKeys[String(first)]! };
    delete d.preKeys[String(first)];
    state.savePhone();
  }
  return { registrationId: d.registrationId, identity: d.identityKey, signedPreKey: d.signedPreKey, preKey };
}

/** A key fetch: device 0 of the phone or of a contact on WhatsApp, or a companion's uploaded bundle. */
export function bundleFor(state: SandboxState, jid: string): WireBundle | undefined {
  const u = userOf(jid);
  if (!u) return undefined;
  if (state.isPhoneUser(u.user)) {
    if (u.device === 0) return state.phoneDevice.bundle();
    const d = state.phone.devices.find((x) => x.device === u.device);
    return d ? linkedBundle(state, d) : undefined;
  }
  const c = state.contactByUser(u.user);
  if (c && c.onWhatsApp && u.device === 0) return state.contactDevice(c).bundle();
  return undefined;
}
