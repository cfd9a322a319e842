import { z } from 'zod';
import {
  CONTACT_FIELD_MAX,
  MAX_CONTACT_CARDS,
  PLACE_TEXT_MAX,
  POLL_OPTION_MAX,
  POLL_OPTIONS,
  POLL_QUESTION_MAX,
} from './limits.ts';
import { SEND_OPTIONS } from './messages.ts';
import { MessageText } from './message-content.ts';
import { isBlankText, textLength } from './text.ts';

/**
 * The bodies of the endpoints that send a location, contact cards, a poll, a reaction, an edit or a delete. Each
 * becomes one of the kinds of server/contract/message-content.ts and goes through the outbox like a text.
 */

/** A required string with its rule in words: the message text's rule (server/contract/text.ts) with its own limit. */
const words = (field: string, max: number) =>
  z
    .string({ error: `${field} is required and must be a string` })
    .refine((value) => !isBlankText(value), `${field} must not be empty`)
    .refine((value) => value.isWellFormed(), `${field} must be valid Unicode (it holds a lone surrogate)`)
    .refine((value) => textLength(value) <= max, `${field} is longer than WhatsApp allows (${max} characters)`)
    .meta({ minLength: 1, maxLength: max });

const coordinate = (field: string, limit: number) =>
  z
    .number({ error: `${field} is required and must be a number` })
    .min(-limit, `${field} must be between -${limit} and ${limit}`)
    .max(limit, `${field} must be between -${limit} and ${limit}`);

export const SendLocationBody = z.object({
  latitude: coordinate('latitude', 90).meta({ example: -6.1754 }),
  longitude: coordinate('longitude', 180).meta({ example: 106.8272 }),
  name: words('name', PLACE_TEXT_MAX).optional().meta({ description: 'The place’s name', example: 'Monas' }),
  address: words('address', PLACE_TEXT_MAX).optional().meta({ example: 'Gambir, Central Jakarta' }),
  ...SEND_OPTIONS,
});

/** Digits with the country code; spaces, dashes, dots, brackets and a leading + are allowed around them. */
const PHONE = /^\+?[\d\s().-]{5,32}$/;
const digitCount = (phone: string) => phone.replace(/\D/g, '').length;

export const ContactCardBody = z.object({
  name: words('contacts[].name', CONTACT_FIELD_MAX),
  phone: z
    .string({ error: 'contacts[].phone is required: a phone number with country code' })
    .refine(
      (phone) => PHONE.test(phone) && digitCount(phone) >= 5 && digitCount(phone) <= 20,
      'contacts[].phone must be a phone number with country code (5 to 20 digits)',
    )
    .meta({ example: '+62 812-3456-7890' }),
  email: z
    .email({ error: 'contacts[].email must be an email address' })
    .max(CONTACT_FIELD_MAX, `contacts[].email is longer than ${CONTACT_FIELD_MAX} characters`)
    .optional(),
  organization: words('contacts[].organization', CONTACT_FIELD_MAX).optional(),
});

export const SendContactCardsBody = z.object({
  contacts: z
    .array(ContactCardBody, { error: 'contacts is required: a list of {name, phone}' })
    .min(1, 'contacts must hold at least one contact')
    .max(MAX_CONTACT_CARDS, `at most ${MAX_CONTACT_CARDS} contacts in one message`),
  ...SEND_OPTIONS,
});

export const SendPollBody = z
  .object({
    question: words('question', POLL_QUESTION_MAX).meta({ example: 'Where shall we meet?' }),
    options: z
      .array(words('options[]', POLL_OPTION_MAX), { error: 'options is required: a list of 2 to 12 answers' })
      .min(POLL_OPTIONS.min, `a poll needs at least ${POLL_OPTIONS.min} options`)
      .max(POLL_OPTIONS.max, `a poll has at most ${POLL_OPTIONS.max} options`)
      .refine((options) => new Set(options).size === options.length, 'options must all be different')
      .meta({ example: ['Café', 'Office', 'Park'] }),
    selectable_count: z
      .number({ error: 'selectable_count must be a whole number' })
      .int('selectable_count must be a whole number')
      .min(0, 'selectable_count must be 0 (any number) or more')
      .default(1)
      .meta({ description: 'How many options one person may choose: 1 (the default) up to all of them; 0 means any' }),
    ...SEND_OPTIONS,
  })
  .refine((poll) => poll.selectable_count <= poll.options.length, {
    message: 'selectable_count cannot be more than the number of options',
    path: ['selectable_count'],
  });

/** One emoji: a single grapheme that is a pictograph or a flag. */
function isOneEmoji(value: string): boolean {
  const graphemes = [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(value)];
  return graphemes.length === 1 && /\p{Extended_Pictographic}|\p{Regional_Indicator}|[#*0-9]\uFE0F?\u20E3/u.test(value);
}

const asyncFlag = z.boolean({ error: 'async must be true or false' }).default(false);

export const ReactionBody = z.object({
  emoji: z
    .string({ error: 'emoji is required: one emoji, or "" to take the reaction away' })
    .refine((emoji) => emoji === '' || isOneEmoji(emoji), 'emoji must be exactly one emoji, or "" to take it away')
    .meta({ example: '👍' }),
  async: asyncFlag,
});

export const EditMessageBody = z.object({
  text: MessageText.meta({ example: 'See you at 10, not 9' }),
  async: asyncFlag,
});

export const ChatMessageParams = z.object({
  message_id: z.string().min(1).max(128),
});
