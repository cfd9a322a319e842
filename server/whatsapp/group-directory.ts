import type { GroupMetadata } from '@whiskeysockets/baileys';
import { ApiError } from '../api-error.ts';
import type { LidMappings } from '../store/lid-mappings.ts';
import type { Session } from './session.ts';
import type { GroupDetail, GroupSummary } from '../contract/groups.ts';

/** The groups the linked phone is in, asked of WhatsApp (`w:g2`) each time: membership changes under us. */
export interface GroupDirectory {
  list(): Promise<GroupSummary[]>;
  /** One group; 404 "Group not found" when it does not exist or the phone is not (or no longer) in it. */
  get(jid: string): Promise<GroupDetail>;
}

/** Baileys puts the code of an `<error>` answer in `data` (its Boom's own status is 500). */
const errorCodeOf = (error: unknown) => {
  const e = error as { data?: unknown; output?: { statusCode?: number } };
  return typeof e.data === 'number' ? e.data : e.output?.statusCode;
};
/** What WhatsApp answers for a group that does not exist (404), or that the phone is not in (401, 403). */
const NOT_THERE = new Set([401, 403, 404]);

export function createGroupDirectory(deps: { session: Session; lids: LidMappings }): GroupDirectory {
  const { session, lids } = deps;

  const detail = (m: GroupMetadata): GroupDetail => ({
    jid: m.id,
    subject: m.subject,
    size: m.size ?? m.participants.length,
    description: m.desc ?? null,
    addressing_mode: m.addressingMode === 'lid' ? 'lid' : 'pn',
    participants: m.participants.map((p) => {
      const isLid = p.id.endsWith('@lid');
      const phone = isLid ? (p.phoneNumber ?? lids.pnOf(p.id)) : p.id;
      const lid = isLid ? p.id : (p.lid ?? lids.lidOf(p.id));
      if (phone && lid) lids.remember({ pn: phone, lid });
      return { jid: p.id, phone_jid: phone ?? null, lid: lid ?? null, admin: p.admin ?? null };
    }),
  });

  return {
    async list() {
      const all = await session.groupsParticipating();
      return Object.values(all)
        .map((m) => ({ jid: m.id, subject: m.subject, size: m.size ?? m.participants.length }))
        .sort((a, b) => a.subject.localeCompare(b.subject));
    },
    async get(jid) {
      try {
        return detail(await session.groupMetadata(jid));
      } catch (error) {
        if (error instanceof ApiError) throw error;
        if (NOT_THERE.has(errorCodeOf(error) ?? 0)) throw new ApiError(404, 'Group not found');
        throw error;
      }
    },
  };
}
