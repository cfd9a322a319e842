import { ApiError } from '../api-error.ts';
import { unixSeconds } from '../contract/time.ts';
import type { SandboxState } from './sandbox-state.ts';
import {
  type ContactInput,
  type ContactState,
  type ContactView,
  type FrameEvent,
  type InboxEntry,
  contactView,
  createContactState,
  normalizeNumber,
} from './virtual-contacts.ts';

export function contactViews(state: SandboxState): ContactView[] {
  return [...state.contacts.values()].map(contactView);
}

/** Adds a contact, or renames and re-flags the one with that number. */
export function addContact(state: SandboxState, input: ContactInput): ContactView {
  const number = normalizeNumber(input.number);
  if (number.length < 6 || number.length > 15) throw new ApiError(400, 'number must have 6 to 15 digits');
  if (state.isPhoneUser(number)) throw new ApiError(409, 'that is the virtual phone’s own number');
  const existing = state.contacts.get(number);
  if (existing) {
    existing.name = input.name;
    existing.onWhatsApp = input.on_whatsapp;
    if (input.lid_migrated !== undefined) existing.lidMigrated = input.lid_migrated;
    state.saveContact(existing);
    return contactView(existing);
  }
  const c = createContactState({ ...input, number, lid: nextLid(state) });
  state.saveContact(c);
  state.registerContact(c);
  return contactView(c);
}

function nextLid(state: SandboxState): string {
  let n = 100000000000001 + state.contacts.size;
  const used = new Set([...state.contacts.values()].map((c) => c.lid));
  while (used.has(String(n))) n++;
  return String(n);
}

export function requireContact(state: SandboxState, number: string): ContactState {
  const c = state.contacts.get(normalizeNumber(number));
  if (!c) throw new ApiError(404, `no contact ${number} in the sandbox`);
  return c;
}

/** What the contact received from WaGate, oldest first, its times in Unix seconds (the store keeps ms). */
export function inboxOf(state: SandboxState, number: string): InboxEntry[] {
  const c = requireContact(state, number);
  const frame = (f: FrameEvent): FrameEvent => ({ ...f, at: unixSeconds(f.at) });
  return state.store.inbox<InboxEntry>(c.number).map(({ entry }) => ({
    ...entry,
    timestamp: unixSeconds(entry.timestamp),
    before: entry.before.map(frame),
    after: (entry.after ?? []).map(frame),
  }));
}
