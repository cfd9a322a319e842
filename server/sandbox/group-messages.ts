import { proto, unpadRandomMax16, writeRandomPadMax16 } from '@whiskeysockets/baileys';
import { ApiError } from '../api-error.ts';
import { unixSeconds } from '../contract/time.ts';
import type { Connection } from './connection.ts';
import { encryptFor, type Delivery } from './delivery.ts';
import { type BinaryNode, bytes, child, children, node, nowSeconds, phoneMessageId, userOf } from './frames.ts';
import type { GroupState, Groups } from './groups.ts';
import type { SandboxState } from './sandbox-state.ts';
import { senderKeys } from './sender-keys.ts';

/** What the members of a group got from WaGate: one entry per message, with who could read it and who receipted. */
export interface GroupInboxEntry {
  message_id: string;
  text: string | null;
  /** JIDs the message @-mentions (`contextInfo.mentionedJid`). */
  mentions: string[];
  /** Unix seconds (stored in ms). */
  timestamp: number;
  /** Numbers of the members that decrypted it with WaGate's sender key. */
  received_by: string[];
  delivered_by: string[];
  read_by: string[];
}

export interface GroupMessages {
  /** A `<message to="…@g.us">` from a linked device: sender keys taken, the skmsg decrypted by each member, acked. */
  onMessage(conn: Connection, n: BinaryNode): Promise<void>;
  inbox(jidOrId: string): GroupInboxEntry[];
  /** A member writes to the group: its sender key (to each linked device, 1:1) and the skmsg. */
  sendFromMember(jidOrId: string, input: { from: string; text: string }): Promise<{ message_id: string }>;
  /** A member's receipt for a message WaGate sent to the group. */
  sendReceipt(jidOrId: string, input: { from: string; message_id: string; type: 'delivered' | 'read' }): Promise<void>;
}

const inboxKey = (g: GroupState) => `group:${g.id}`;
/** WaGate's linked devices, as the authors of the sender keys the members hold. */
const linkedAuthor = (device: number) => `linked-${device}`;

export function createGroupMessages(state: SandboxState, groups: Groups, delivery: Delivery): GroupMessages {
  const keysOf = (g: GroupState, number: string) => {
    g.senderKeys[number] ??= {};
    return senderKeys(g.senderKeys[number]!, () => groups.save(g));
  };
  const contactMembers = (g: GroupState) =>
    g.members.filter((m) => m.number !== 'phone' && state.contacts.get(m.number)?.onWhatsApp).map((m) => m.number);

  /** The 1:1 copies: each member device 0 decrypts its own, and takes the sender key it carries. */
  const takeSenderKeys = async (g: GroupState, sender: number, n: BinaryNode) => {
    for (const to of children(child(n, 'participants'), 'to')) {
      const target = userOf(to.attrs.jid ?? '');
      const enc = child(to, 'enc');
      const ciphertext = bytes(enc);
      if (!target || !enc || !ciphertext || target.device !== 0) continue;
      const phone = state.isPhoneUser(target.user);
      const contact = phone ? undefined : state.contactByUser(target.user);
      const device = phone ? state.phoneDevice : contact?.onWhatsApp ? state.contactDevice(contact) : undefined;
      if (!device) continue;
      try {
        const plain = await device.decrypt(state.linkedAddress(sender), enc.attrs.type ?? '', ciphertext);
        const skdm = proto.Message.decode(unpadRandomMax16(plain)).senderKeyDistributionMessage;
        const distribution = skdm?.axolotlSenderKeyDistributionMessage;
        if (contact && distribution) await keysOf(g, contact.number).process(g.id, linkedAuthor(sender), distribution);
      } catch (err) {
        state.logger.warn({ err: String(err) }, `could not decrypt the group copy for ${to.attrs.jid}`);
      }
    }
  };

  const receipt = (g: GroupState, number: string, id: string, type: 'read' | undefined) =>
    delivery.toLinked(() =>
      node('receipt', {
        from: `${g.id}@g.us`,
        participant: groups.memberJid(g, number).jid,
        id,
        t: nowSeconds(),
        type,
      }),
    );

  const update = (g: GroupState, id: string, change: (e: GroupInboxEntry) => void) => {
    const row = state.store.inboxMessage<GroupInboxEntry>(inboxKey(g), id);
    if (!row) return null;
    change(row.entry);
    state.store.updateInbox(row.seq, row.entry);
    return row.entry;
  };

  return {
    async onMessage(conn, n) {
      const id = n.attrs.id ?? '';
      const ack = () => conn.send(node('ack', { class: 'message', id, from: n.attrs.to, t: nowSeconds() }));
      const g = groups.find(n.attrs.to ?? '');
      const sender = conn.device?.device;
      if (!g || sender === undefined || !groups.isPhoneMember(g)) return ack();
      await takeSenderKeys(g, sender, n);
      const skmsg = bytes(children(n, 'enc').find((e) => e.attrs.type === 'skmsg'));
      let message: proto.IMessage | null = null;
      const receivedBy: string[] = [];
      for (const number of skmsg ? contactMembers(g) : []) {
        const keys = keysOf(g, number);
        if (!keys.has(g.id, linkedAuthor(sender))) continue;
        try {
          message = proto.Message.decode(unpadRandomMax16(await keys.decrypt(g.id, linkedAuthor(sender), skmsg!)));
          receivedBy.push(number);
        } catch (err) {
          state.logger.warn({ err: String(err) }, `${number} could not decrypt ${id} in ${g.subject}`);
        }
      }
      ack();
      if (!message || state.store.inboxMessage<GroupInboxEntry>(inboxKey(g), id) !== undefined) return;
      const ext = message.extendedTextMessage;
      const entry: GroupInboxEntry = {
        message_id: id,
        text: message.conversation ?? ext?.text ?? null,
        mentions: ext?.contextInfo?.mentionedJid ?? [],
        timestamp: Date.now(),
        received_by: receivedBy,
        delivered_by: [],
        read_by: [],
      };
      state.store.appendInbox(inboxKey(g), entry);
      state.logger.info(`${g.subject} received ${id}: ${JSON.stringify(entry.text)}`);
      // The first member's phone to come online receipts first: one at a time, as they arrive.
      receivedBy.forEach((number, i) =>
        state.later(30 * (i + 1), () => {
          update(g, id, (e) => e.delivered_by.push(number));
          void receipt(g, number, id, undefined);
        }),
      );
    },
    // The store keeps ms; the control API says Unix seconds.
    inbox: (jidOrId) =>
      state.store
        .inbox<GroupInboxEntry>(inboxKey(groups.require(jidOrId)))
        .map(({ entry }) => ({ ...entry, timestamp: unixSeconds(entry.timestamp) })),
    async sendFromMember(jidOrId, input) {
      const g = groups.require(jidOrId);
      const member = groups.memberOf(g, `${input.from.replace(/\D/g, '')}@s.whatsapp.net`);
      const c = member ? state.contacts.get(member.number) : undefined;
      if (!member || !c?.onWhatsApp) throw new ApiError(404, `${input.from} is not a member of ${g.subject}`);
      if (!groups.isPhoneMember(g)) throw new ApiError(409, `the phone is not in ${g.subject}: nobody would see it`);
      const id = phoneMessageId();
      const plain = Buffer.from(writeRandomPadMax16(proto.Message.encode({ conversation: input.text }).finish()));
      const { distribution, ciphertext } = await keysOf(g, c.number).encrypt(g.id, c.number, plain);
      const { jid, alt } = groups.memberJid(g, c.number);
      const t = nowSeconds();
      await delivery.toLinked(async (d) => {
        const skdm: proto.IMessage = {
          senderKeyDistributionMessage: { groupId: `${g.id}@g.us`, axolotlSenderKeyDistributionMessage: distribution },
        };
        const copy = await encryptFor(state, state.contactDevice(c), d, skdm);
        const altAttr = g.addressing === 'lid' ? { participant_pn: alt } : { participant_lid: alt };
        return node(
          'message',
          { from: `${g.id}@g.us`, participant: jid, ...altAttr, id, type: 'text', t, notify: c.name },
          [
            node('enc', { v: '2', type: copy.type }, copy.ciphertext),
            node('enc', { v: '2', type: 'skmsg' }, ciphertext),
          ],
        );
      });
      return { message_id: id };
    },
    async sendReceipt(jidOrId, input) {
      const g = groups.require(jidOrId);
      const member = groups.memberOf(g, `${input.from.replace(/\D/g, '')}@s.whatsapp.net`);
      if (!member) throw new ApiError(404, `${input.from} is not a member of ${g.subject}`);
      const read = input.type === 'read';
      const entry = update(g, input.message_id, (e) => {
        if (!e.delivered_by.includes(member.number)) e.delivered_by.push(member.number);
        if (read && !e.read_by.includes(member.number)) e.read_by.push(member.number);
      });
      if (!entry) throw new ApiError(404, `${g.subject} has no message ${input.message_id}`);
      await receipt(g, member.number, input.message_id, read ? 'read' : undefined);
    },
  };
}
