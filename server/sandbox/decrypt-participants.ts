import { proto, unpadRandomMax16 } from '@whiskeysockets/baileys';
import { type BinaryNode, bytes, child, children, userOf } from './frames.ts';
import type { SandboxState } from './sandbox-state.ts';
import type { SignalDevice } from './signal-device.ts';
import type { ContactState } from './virtual-contacts.ts';

/**
 * Each device-0 participant that is the phone or a contact on WhatsApp decrypts its copy (keeping the Signal sessions
 * in step); returns the message as `contact` read it, if it is among them.
 */
export async function decryptParticipants(
  state: SandboxState,
  sender: number,
  n: BinaryNode,
  contact: ContactState | undefined,
): Promise<proto.IMessage | null> {
  let recorded: proto.IMessage | null = null;
  for (const t of children(child(n, 'participants'), 'to')) {
    const target = userOf(t.attrs.jid ?? '');
    const enc = child(t, 'enc');
    const ciphertext = bytes(enc);
    if (!target || !enc || !ciphertext || target.device !== 0) continue;
    let device: SignalDevice | undefined;
    const targetContact = state.isPhoneUser(target.user) ? undefined : state.contactByUser(target.user);
    if (state.isPhoneUser(target.user)) device = state.phoneDevice;
    else if (targetContact?.onWhatsApp) device = state.contactDevice(targetContact);
    if (!device) continue;
    try {
      const plain = await device.decrypt(state.linkedAddress(sender), enc.attrs.type ?? '', ciphertext);
      const msg = proto.Message.decode(unpadRandomMax16(plain));
      if (targetContact && targetContact === contact) recorded = msg;
    } catch (err) {
      state.logger.warn({ err: String(err) }, `could not decrypt ${enc.attrs.type} for ${t.attrs.jid}`);
    }
  }
  return recorded;
}
