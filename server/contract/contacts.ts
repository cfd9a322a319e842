import { z } from 'zod';
import { normaliseChatJid } from './chat-id.ts';

/** `GET /contacts/{phone}`: a person by phone number (with country code) or LID; a group is not a person. */
export const ContactParams = z.object({
  phone: z
    .string()
    .transform((raw, ctx) => {
      const jid = normaliseChatJid(raw);
      if (jid && !jid.endsWith('@g.us')) return jid;
      ctx.addIssue({
        code: 'custom',
        message: `Invalid phone "${raw}": use a phone number with country code, or a …@lid`,
      });
      return z.NEVER;
    })
    .meta({ example: '6281234567890' }),
});

/** `GET /contacts/{phone}`: whether a person is on WhatsApp, and the addresses WhatsApp knows them by. */
export const ContactInfoSchema = z.object({
  /** Digits with country code, when known. */
  phone: z.string().nullable(),
  on_whatsapp: z.boolean(),
  /** Phone-number JID (`…@s.whatsapp.net`), when known. */
  jid: z.string().nullable(),
  /** LID (`…@lid`), when known: WhatsApp addresses LID-migrated people by it, and WaGate sends to it. */
  lid: z.string().nullable(),
  /** Unix seconds when WhatsApp was asked. */
  checked_at: z.number().int(),
});
export type ContactInfo = z.infer<typeof ContactInfoSchema>;
