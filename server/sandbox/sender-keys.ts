import {
  GroupCipher,
  GroupSessionBuilder,
  SenderKeyDistributionMessage,
  SenderKeyName,
  SenderKeyRecord,
} from '@whiskeysockets/baileys/lib/Signal/Group/index.js';
import { ProtocolAddress } from 'libsignal';

/** Serialized sender-key records, by the name of the key (group and author). */
export type SenderKeyStore = Record<string, unknown>;

/**
 * Signal's group cipher as WhatsApp clients use it (Baileys' lib/Signal/Group): each member keeps the sender key of
 * every author it got a distribution message from, and its own, to decrypt and encrypt `skmsg`. `onChange` persists.
 */
export function senderKeys(keys: SenderKeyStore, onChange: () => void) {
  const store = {
    loadSenderKey: async (name: SenderKeyName) => {
      const data = keys[name.toString()];
      // Kept as the record's own structures (the store's JSON keeps their Buffers).
      return new SenderKeyRecord(data as never);
    },
    storeSenderKey: async (name: SenderKeyName, record: SenderKeyRecord) => {
      keys[name.toString()] = record.serialize();
      onChange();
    },
  };
  const nameOf = (group: string, author: string) => new SenderKeyName(group, new ProtocolAddress(author, 0));
  return {
    /** Takes an author's sender key from its distribution message. */
    async process(group: string, author: string, distribution: Uint8Array): Promise<void> {
      const message = new SenderKeyDistributionMessage(null, null, null, null, distribution);
      await new GroupSessionBuilder(store).process(nameOf(group, author), message);
    },
    has: (group: string, author: string) => keys[nameOf(group, author).toString()] !== undefined,
    decrypt: (group: string, author: string, ciphertext: Uint8Array): Promise<Uint8Array> =>
      new GroupCipher(store, nameOf(group, author)).decrypt(ciphertext),
    /** This member's own sender key: the distribution message to hand out, and the message encrypted under it. */
    async encrypt(
      group: string,
      me: string,
      plaintext: Uint8Array,
    ): Promise<{ distribution: Uint8Array; ciphertext: Uint8Array }> {
      const name = nameOf(group, me);
      const distribution = (await new GroupSessionBuilder(store).create(name)).serialize();
      const ciphertext = await new GroupCipher(store, name).encrypt(plaintext);
      return { distribution, ciphertext };
    },
  };
}
