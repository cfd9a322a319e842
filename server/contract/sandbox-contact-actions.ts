import { z } from 'zod';
import { MAX_MESSAGE_ID_LENGTH, MAX_TEXT_LENGTH, POLL_OPTIONS } from './limits.ts';

/**
 * What a sandbox contact can send WaGate besides a text and media (`POST /sandbox/contacts/{number}/actions`): each
 * becomes the message a phone would send, encrypted to WaGate's devices.
 */
const id = z.string().min(1).max(MAX_MESSAGE_ID_LENGTH);
const words = z.string().min(1).max(1024);

export const ContactActionSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('location'),
      latitude: z.number().min(-90).max(90),
      longitude: z.number().min(-180).max(180),
      name: words.optional(),
      address: words.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('contact_card'),
      contacts: z
        .array(z.object({ name: words, phone: z.string().regex(/^\+?\d{5,20}$/) }).strict())
        .min(1)
        .max(10),
    })
    .strict(),
  z
    .object({
      kind: z.literal('poll'),
      question: words,
      options: z.array(words).min(POLL_OPTIONS.min).max(POLL_OPTIONS.max),
      selectable_count: z.number().int().min(0).max(POLL_OPTIONS.max),
    })
    .strict(),
  /** A vote on a poll WaGate sent this contact: the names of the options chosen ([] takes the vote back). */
  z
    .object({ kind: z.literal('poll_vote'), poll_message_id: id, options: z.array(words).max(POLL_OPTIONS.max) })
    .strict(),
  /** On a message of the chat, WaGate's or the contact's own; "" takes the reaction away. */
  z.object({ kind: z.literal('reaction'), message_id: id, emoji: z.string().max(32) }).strict(),
  /** Of the contact's own text. */
  z.object({ kind: z.literal('edit'), message_id: id, text: z.string().min(1).max(MAX_TEXT_LENGTH) }).strict(),
  /** For everyone, of the contact's own message. */
  z.object({ kind: z.literal('delete'), message_id: id }).strict(),
]);
export type ContactAction = z.infer<typeof ContactActionSchema>;
