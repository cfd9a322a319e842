import { z } from 'zod';
import { normaliseChatJid } from './chat-id.ts';

/** `GET /groups/{group_jid}`: a group JID, with or without its `@g.us`. */
export const GroupParams = z.object({
  group_jid: z
    .string()
    .transform((raw, ctx) => {
      const jid = normaliseChatJid(raw.includes('@') ? raw : `${raw}@g.us`);
      if (jid?.endsWith('@g.us')) return jid;
      ctx.addIssue({ code: 'custom', message: `Invalid group_jid "${raw}": use a group JID (…@g.us)` });
      return z.NEVER;
    })
    .meta({ example: '120363000000000001@g.us' }),
});

export const GroupSummarySchema = z.object({
  /** `…@g.us`: where to send (`POST /chats/{group_jid}/messages`). */
  jid: z.string(),
  subject: z.string(),
  /** How many members, the linked phone included. */
  size: z.number().int(),
});
export type GroupSummary = z.infer<typeof GroupSummarySchema>;

export const GroupParticipantSchema = z.object({
  /** The member as the group addresses them: a LID (`…@lid`) or a phone-number JID. */
  jid: z.string(),
  /** Their phone-number JID, when WhatsApp says it. */
  phone_jid: z.string().nullable(),
  /** Their LID, when WhatsApp says it. */
  lid: z.string().nullable(),
  admin: z.enum(['admin', 'superadmin']).nullable(),
});
export const GroupDetailSchema = GroupSummarySchema.extend({
  description: z.string().nullable(),
  /** `lid`: members are addressed by LID; `pn`: by phone number. */
  addressing_mode: z.enum(['lid', 'pn']),
  participants: z.array(GroupParticipantSchema),
}).meta({
  example: {
    jid: '120363000000000001@g.us',
    subject: 'Family',
    size: 2,
    description: 'Sunday lunch and everything else',
    addressing_mode: 'lid',
    participants: [
      {
        jid: '200000000000001@lid',
        phone_jid: '15559990000@s.whatsapp.net',
        lid: '200000000000001@lid',
        admin: 'superadmin',
      },
      {
        jid: '123456789012345@lid',
        phone_jid: '6281234567890@s.whatsapp.net',
        lid: '123456789012345@lid',
        admin: null,
      },
    ],
  },
});
export type GroupDetail = z.infer<typeof GroupDetailSchema>;
