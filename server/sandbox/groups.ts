import { ApiError } from '../api-error.ts';
import type { GroupRole, GroupView } from '../contract/sandbox.ts';
import type { Connection } from './connection.ts';
import type { Delivery } from './delivery.ts';
import { type BinaryNode, node, nowSeconds, serverId, userOf } from './frames.ts';
import type { SandboxState } from './sandbox-state.ts';
import { normalizeNumber } from './virtual-contacts.ts';

export interface GroupMember {
  /** The member's phone number (a contact's, or the virtual phone's own). */
  number: string;
  role: GroupRole;
}

export interface GroupState {
  /** The user part of `<id>@g.us`. */
  id: string;
  subject: string;
  description: string;
  /** Unix seconds. */
  creation: number;
  /** How members are addressed on the wire: by LID (`participant_pn` beside) or by phone number (`participant_lid`). */
  addressing: 'lid' | 'pn';
  members: GroupMember[];
  /** Each member's sender keys (the ones it got, and its own), by member number. */
  senderKeys: Record<string, Record<string, unknown>>;
}

/** The seed: two groups the phone is in (one addressed by LID, one by number) and one it is not in. */
const SEED_GROUPS: Omit<GroupState, 'creation' | 'senderKeys'>[] = [
  {
    id: '120363000000000001',
    subject: 'Family',
    description: 'Sunday lunch and everything else',
    addressing: 'lid',
    members: [
      { number: 'phone', role: 'superadmin' },
      { number: '15550001111', role: 'admin' },
      { number: '15550002222', role: null },
      { number: '15550005555', role: null },
    ],
  },
  {
    id: '120363000000000002',
    subject: 'Book club',
    description: 'One book a month',
    addressing: 'pn',
    members: [
      { number: '15550001111', role: 'superadmin' },
      { number: 'phone', role: null },
      { number: '15550002222', role: null },
    ],
  },
  {
    id: '120363000000000003',
    subject: 'Neighbours',
    description: 'The phone is not in this one',
    addressing: 'pn',
    members: [
      { number: '15550001111', role: 'superadmin' },
      { number: '15550002222', role: null },
    ],
  },
];

/** The groups of the sandbox: their members, their metadata as `w:g2` answers it, members joining and leaving. */
export interface Groups {
  all(): GroupState[];
  find(jidOrId: string): GroupState | undefined;
  require(jidOrId: string): GroupState;
  save(g: GroupState): void;
  views(): GroupView[];
  /** A member's JID as the group addresses it (LID or phone number), and the other address. */
  memberJid(g: GroupState, number: string): { jid: string; alt: string };
  /** The member a participant JID (LID or phone number) names. */
  memberOf(g: GroupState, jid: string): GroupMember | undefined;
  isPhoneMember(g: GroupState): boolean;
  /** `<iq xmlns="w:g2">`: one group's metadata, or the groups the phone is in. */
  onIq(conn: Connection, iq: BinaryNode): void;
  /** An admin adds or removes someone (the phone included): the members change and the phone is told (`w:gp2`). */
  changeMembers(jidOrId: string, input: { action: 'add' | 'remove'; number: string }): Promise<GroupView>;
}

export function createGroups(state: SandboxState, delivery: Delivery): Groups {
  const groups = new Map<string, GroupState>();
  for (const key of state.store.keys('group:')) {
    const g = state.store.get<GroupState>(key)!;
    groups.set(g.id, g);
  }
  const save = (g: GroupState) => {
    groups.set(g.id, g);
    if (!state.closed) state.store.set(`group:${g.id}`, g);
  };
  if (!state.store.get('groups-seeded')) {
    for (const seed of SEED_GROUPS)
      save({ ...seed, members: seed.members.map((m) => ({ ...m })), creation: 1764000000, senderKeys: {} });
    state.store.set('groups-seeded', true);
  }

  const numberOf = (m: GroupMember) => (m.number === 'phone' ? state.phone.number : m.number);
  const find = (jidOrId: string) => groups.get(jidOrId.split('@')[0]!);
  const isPhoneMember = (g: GroupState) => g.members.some((m) => m.number === 'phone');

  const addresses = (number: string) => {
    if (state.isPhoneUser(number)) return { pn: state.phoneJid, lid: `${state.phone.lid}@lid` };
    const c = state.contactByUser(number);
    return { pn: `${number}@s.whatsapp.net`, lid: c ? `${c.lid}@lid` : null };
  };
  const memberJid = (g: GroupState, number: string) => {
    const { pn, lid } = addresses(number);
    return g.addressing === 'lid' && lid ? { jid: lid, alt: pn } : { jid: pn, alt: lid ?? pn };
  };
  const memberOf = (g: GroupState, jid: string) => {
    const u = userOf(jid);
    if (!u) return undefined;
    const who = state.isPhoneUser(u.user) ? state.phone.number : (state.contactByUser(u.user)?.number ?? u.user);
    return g.members.find((m) => numberOf(m) === who);
  };

  const groupNode = (g: GroupState): BinaryNode => {
    const creator = g.members.find((m) => m.role === 'superadmin') ?? g.members[0]!;
    return node(
      'group',
      {
        id: g.id,
        subject: g.subject,
        s_t: String(g.creation),
        s_o: memberJid(g, numberOf(creator)).jid,
        creation: String(g.creation),
        creator: memberJid(g, numberOf(creator)).jid,
        addressing_mode: g.addressing,
        size: String(g.members.length),
      },
      [
        node('description', { id: `${g.id}-desc`, t: String(g.creation) }, [node('body', {}, g.description)]),
        ...g.members.map((m) => {
          const { jid, alt } = memberJid(g, numberOf(m));
          const altAttr = g.addressing === 'lid' ? { phone_number: alt } : { lid: alt };
          return node('participant', { jid, ...altAttr, type: m.role ?? undefined });
        }),
      ],
    );
  };

  const answer = (conn: Connection, iq: BinaryNode, content: BinaryNode[], type = 'result') =>
    conn.send(node('iq', { from: iq.attrs.to, type, id: iq.attrs.id }, content));

  const views = (): GroupView[] =>
    [...groups.values()].map((g) => ({
      jid: `${g.id}@g.us`,
      subject: g.subject,
      description: g.description,
      addressing: g.addressing,
      phone_is_member: isPhoneMember(g),
      members: g.members.map((m) => {
        const number = numberOf(m);
        const { pn, lid } = addresses(number);
        const name = m.number === 'phone' ? state.phone.name : (state.contacts.get(number)?.name ?? number);
        return { number, name, jid: pn, lid, role: m.role };
      }),
    }));

  return {
    all: () => [...groups.values()],
    find,
    require(jidOrId) {
      const g = find(jidOrId);
      if (!g) throw new ApiError(404, `no group ${jidOrId} in the sandbox`);
      return g;
    },
    save,
    views,
    memberJid,
    memberOf,
    isPhoneMember,
    onIq(conn, iq) {
      const first = Array.isArray(iq.content) ? iq.content[0] : undefined;
      if (iq.attrs.to === '@g.us' && first?.tag === 'participating') {
        const mine = [...groups.values()].filter(isPhoneMember).map(groupNode);
        return answer(conn, iq, [node('groups', {}, mine)]);
      }
      const g = iq.attrs.to ? find(iq.attrs.to) : undefined;
      if (first?.tag === 'query' && g && isPhoneMember(g)) return answer(conn, iq, [groupNode(g)]);
      // WhatsApp does not tell a non-member about a group, and says so for one that does not exist.
      if (first?.tag === 'query')
        return answer(
          conn,
          iq,
          [
            g
              ? node('error', { code: '403', text: 'forbidden' })
              : node('error', { code: '404', text: 'item-not-found' }),
          ],
          'error',
        );
      state.logger.info(`[iq] UNHANDLED w:g2 ${first?.tag ?? ''}`);
      answer(conn, iq, []);
    },
    async changeMembers(jidOrId, input) {
      const g = find(jidOrId);
      if (!g) throw new ApiError(404, `no group ${jidOrId} in the sandbox`);
      const digits = normalizeNumber(input.number);
      const number = state.isPhoneUser(digits) ? 'phone' : digits;
      if (number !== 'phone' && !state.contacts.get(number)) throw new ApiError(404, `no contact ${input.number}`);
      const present = g.members.some((m) => m.number === number);
      if (input.action === 'add' && present) throw new ApiError(409, 'already a member');
      if (input.action === 'remove' && !present) throw new ApiError(409, 'not a member');
      // The phone hears of the change while it is still in the group (its own removal included).
      const told = isPhoneMember(g) || number === 'phone';
      if (input.action === 'add') g.members.push({ number, role: null });
      else g.members = g.members.filter((m) => m.number !== number);
      save(g);
      if (told) {
        const admin = g.members.find((m) => m.role === 'superadmin') ?? g.members[0];
        const { jid, alt } = memberJid(
          g,
          state.isPhoneUser(number) || number === 'phone' ? state.phone.number : number,
        );
        const altAttr = g.addressing === 'lid' ? { phone_number: alt } : { lid: alt };
        await delivery.toLinked(() =>
          node(
            'notification',
            {
              from: `${g.id}@g.us`,
              type: 'w:gp2',
              id: serverId(),
              t: nowSeconds(),
              participant: admin ? memberJid(g, numberOf(admin)).jid : undefined,
              addressing_mode: g.addressing,
            },
            [node(input.action, {}, [node('participant', { jid, ...altAttr })])],
          ),
        );
      }
      return views().find((v) => v.jid === `${g.id}@g.us`)!;
    },
  };
}
