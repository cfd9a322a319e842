import type { Logger } from '../logger.ts';
import type { Connection } from './connection.ts';
import { SignalDevice } from './signal-device.ts';
import type { SandboxStore } from './store.ts';
import type { ContactState } from './virtual-contacts.ts';
import { createPhoneState, type LinkedDevice, type PhoneState } from './virtual-phone.ts';

/**
 * What every part of the simulator shares: the store, the virtual phone and the contacts with their Signal devices,
 * the open connections, and timers that stop with the sandbox. Saves are no-ops once it is closed.
 */
export interface SandboxState {
  readonly store: SandboxStore;
  readonly logger: Logger;
  readonly phone: PhoneState;
  /** The phone's device 0, whose Signal identity is the account key. */
  readonly phoneDevice: SignalDevice;
  /** By number. */
  readonly contacts: ReadonlyMap<string, ContactState>;
  readonly connections: Set<Connection>;
  readonly closed: boolean;
  readonly phoneJid: string;
  savePhone(): void;
  saveContact(c: ContactState): void;
  /** Puts a contact in play with its virtual device; saving it is the caller's. */
  registerContact(c: ContactState): void;
  contactDevice(c: ContactState): SignalDevice;
  /** Runs fn after ms unless the sandbox has closed by then; a throw is logged, not raised. */
  later(ms: number, fn: () => void): void;
  /** Address under which a virtual device keeps its Signal session with a linked device of the phone. */
  linkedAddress(device: number): string;
  isPhoneUser(user: string): boolean;
  /** A contact by number or LID. */
  contactByUser(user: string): ContactState | undefined;
  /** The phone's current record of the device a connection logged in as (gone once it is unlinked). */
  liveDevice(conn: Connection): LinkedDevice | undefined;
  /** Stops the timers and drops every connection. */
  close(): void;
}

/** Loads the phone (made on first start) and the saved contacts; seeding an empty contact list is the caller's. */
export function createSandboxState(store: SandboxStore, logger: Logger): SandboxState {
  let closed = false;
  const timers = new Set<NodeJS.Timeout>();
  const contacts = new Map<string, ContactState>();
  const contactDevices = new Map<string, SignalDevice>();
  const connections = new Set<Connection>();

  let phone = store.get<PhoneState>('phone');
  if (!phone) {
    phone = createPhoneState();
    store.set('phone', phone);
  }
  const phoneState = phone;
  const savePhone = () => {
    if (!closed) store.set('phone', phoneState);
  };
  const saveContact = (c: ContactState) => {
    if (!closed) store.set(`contact:${c.number}`, c);
  };
  const registerContact = (c: ContactState) => {
    contacts.set(c.number, c);
    contactDevices.set(c.number, new SignalDevice(c.device, () => saveContact(c)));
  };

  const state: SandboxState = {
    store,
    logger,
    phone: phoneState,
    phoneDevice: new SignalDevice(phoneState.device0, savePhone),
    contacts,
    connections,
    get closed() {
      return closed;
    },
    get phoneJid() {
      return `${phoneState.number}@s.whatsapp.net`;
    },
    savePhone,
    saveContact,
    registerContact,
    contactDevice: (c) => contactDevices.get(c.number)!,
    later(ms, fn) {
      const t = setTimeout(() => {
        timers.delete(t);
        if (closed) return;
        try {
          fn();
        } catch (err) {
          logger.warn({ err: String(err) }, 'timer failed');
        }
      }, ms);
      timers.add(t);
    },
    linkedAddress: (device) => `${phoneState.lid}_1.${device}`,
    isPhoneUser: (user) => user === phoneState.number || user === phoneState.lid,
    contactByUser(user) {
      const byNumber = contacts.get(user);
      if (byNumber) return byNumber;
      for (const c of contacts.values()) if (c.lid === user) return c;
      return undefined;
    },
    liveDevice: (conn) => (conn.device ? phoneState.devices.find((d) => d.device === conn.device!.device) : undefined),
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const c of connections) c.terminate();
      connections.clear();
    },
  };
  for (const key of store.keys('contact:')) registerContact(store.get<ContactState>(key)!);
  return state;
}
