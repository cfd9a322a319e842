import {
  getContentType,
  isJidGroup,
  jidNormalizedUser,
  normalizeMessageContent,
  proto,
  toNumber,
} from '@whiskeysockets/baileys';
import type { WAMessage, WAMessageKey } from '@whiskeysockets/baileys';
import type { MessageStatus, StoredMessage } from '../contract/messages.ts';
import type { MessageContent } from '../contract/message-content.ts';
import { receivedMediaOf } from './media-mapping.ts';
import { richContentOf } from './received-rich-content.ts';

/** Message types that carry no content for a person: protocol traffic, key distribution, reactions, edits. */
const NOT_CONTENT = new Set<string>([
  'protocolMessage',
  'senderKeyDistributionMessage',
  'messageContextInfo',
  'reactionMessage',
  'encReactionMessage',
  'pollUpdateMessage',
  'keepInChatMessage',
  'pinInChatMessage',
]);

const Status = proto.WebMessageInfo.Status;

/** Baileys' receipt status as WaGate's; null for the ones that say nothing new (pending, server ack). */
export function statusFromBaileys(status: number | null | undefined): MessageStatus | null {
  if (status === Status.DELIVERY_ACK) return 'delivered';
  if (status === Status.READ || status === Status.PLAYED) return 'read';
  if (status === Status.ERROR) return 'failed';
  return null;
}

/** The reason a send WhatsApp refused fails with: the code it put on the message's ack, e.g. server_rejected:463. */
export function rejectionReason(code: number | string): string {
  return `server_rejected:${code}`;
}

/** Why WhatsApp failed a message: Baileys puts the ack's error code first in its stub parameters; without one, send_error. */
export function failureReasonOf(m: { messageStubParameters?: (string | null)[] | null }): string {
  const code = m.messageStubParameters?.[0];
  return code && /^\d+$/.test(code) ? rejectionReason(code) : 'send_error';
}

/** A person's chat is keyed by phone number when WhatsApp tells us it, so replies land where the API looks. */
export function chatJidOf(key: WAMessageKey): string {
  const jid = key.remoteJid ?? '';
  const pn = key.remoteJidAlt?.endsWith('@s.whatsapp.net') ? key.remoteJidAlt : null;
  return jidNormalizedUser(jid.endsWith('@lid') && pn ? pn : jid);
}

/** The person's LID, when the message came from it or named it as the alternate address. */
function chatLidOf(key: WAMessageKey): string | null {
  if (isJidGroup(key.remoteJid ?? '')) return null;
  const lid = [key.remoteJid, key.remoteJidAlt].find((j) => j?.endsWith('@lid'));
  return lid ? jidNormalizedUser(lid) : null;
}

function senderOf(key: WAMessageKey, chatJid: string): string {
  if (!isJidGroup(chatJid)) return chatJid;
  return jidNormalizedUser(key.participantAlt ?? key.participant ?? chatJid);
}

/** The text a person wrote: the message itself, or a caption. */
function textOf(content: proto.IMessage): string | null {
  return (
    content.conversation ??
    content.extendedTextMessage?.text ??
    content.imageMessage?.caption ??
    content.videoMessage?.caption ??
    content.documentMessage?.caption ??
    null
  );
}

/** What a received message says, by kind; what WaGate does not read yet is kept as `other`, with its type's name. */
function receivedContentOf(content: proto.IMessage, type: keyof proto.IMessage): MessageContent {
  const text = content.conversation ?? content.extendedTextMessage?.text;
  if (typeof text === 'string') return { kind: 'text', text };
  return richContentOf(content) ?? { kind: 'other', whatsapp_type: type };
}

function quotedIdOf(content: proto.IMessage, type: keyof proto.IMessage): string | null {
  const inner = content[type] as { contextInfo?: proto.IContextInfo | null } | null | undefined;
  return inner && typeof inner === 'object' ? (inner.contextInfo?.stanzaId ?? null) : null;
}

/** Where a message someone sent us came from: its chat, the person's LID, its sender; null for status posts and ours. */
export function originOf(msg: WAMessage, nowSeconds: number) {
  const chatJid = chatJidOf(msg.key);
  if (msg.key.fromMe || !msg.key.id || !chatJid || chatJid === 'status@broadcast' || chatJid.endsWith('@newsletter'))
    return null;
  return {
    chat_jid: chatJid,
    chat_lid: chatLidOf(msg.key),
    sender: senderOf(msg.key, chatJid),
    timestamp: toNumber(msg.messageTimestamp) || nowSeconds,
  };
}

/** A message someone sent us, as WaGate stores it; null for anything that is not a message for a person. */
export function toInboundMessage(msg: WAMessage, nowSeconds: number): StoredMessage | null {
  const chatJid = chatJidOf(msg.key);
  if (msg.key.fromMe || !msg.key.id || !chatJid || chatJid === 'status@broadcast' || chatJid.endsWith('@newsletter')) {
    return null;
  }
  const content = normalizeMessageContent(msg.message);
  const type = getContentType(content ?? undefined);
  if (!content || !type || NOT_CONTENT.has(type)) return null;
  return {
    message_id: msg.key.id,
    chat_jid: chatJid,
    chat_lid: chatLidOf(msg.key),
    direction: 'inbound',
    sender: senderOf(msg.key, chatJid),
    text: textOf(content),
    quoted_message_id: quotedIdOf(content, type),
    timestamp: toNumber(msg.messageTimestamp) || nowSeconds,
    status: 'received',
    ...(receivedMediaOf(content, msg.key.id) ?? receivedContentOf(content, type)),
  };
}

/** What WaGate sent, as Baileys built it: a text, with the message it quoted, if any. */
export function contentOf(stored: StoredMessage, quoted: StoredMessage | null): proto.IMessage | undefined {
  if (stored.text === null) return undefined;
  if (!quoted) return { extendedTextMessage: { text: stored.text } };
  const contextInfo: proto.IContextInfo = {
    stanzaId: quoted.message_id,
    participant: quoted.sender,
    quotedMessage: { conversation: quoted.text ?? '' },
  };
  return { extendedTextMessage: { text: stored.text, contextInfo } };
}

/** How a stored message is handed to Baileys so a reply quotes it. */
export function quotedFor(stored: StoredMessage): WAMessage {
  const group = isJidGroup(stored.chat_jid);
  return {
    key: {
      remoteJid: stored.chat_jid,
      fromMe: stored.direction === 'outbound',
      id: stored.message_id,
      ...(group && stored.direction === 'inbound' ? { participant: stored.sender } : {}),
    },
    message: { conversation: stored.text ?? '' },
    messageTimestamp: stored.timestamp,
  };
}

const NETWORK_ERROR = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ENETUNREACH|EHOSTUNREACH|ETIMEDOUT)\b/;

/** A QR that nobody scanned in time ends its connection with 408; a new connection brings a new code at once. */
export const QR_EXPIRED = 'The code expired before it was scanned';

/** Why a connection closed, in words for `GET /session`; `whileQr`: it closed while showing a code. */
export function closeReasonText(statusCode: number | undefined, fallback: string | undefined, whileQr = false): string {
  if (whileQr && statusCode === 408) return QR_EXPIRED;
  // Baileys files a failed DNS lookup or a refused connection under 408 with the system error in its message.
  if (fallback && NETWORK_ERROR.test(fallback)) return 'WhatsApp cannot be reached: check that this computer is online';
  const known: Record<number, string> = {
    401: 'The phone unlinked this device (logged out)',
    403: 'WhatsApp refused this account (forbidden)',
    408: 'The connection timed out',
    428: 'The connection was closed',
    440: 'Another WhatsApp Web session replaced this one',
    500: 'WhatsApp reported a bad session',
    503: 'WhatsApp is unavailable',
    515: 'WhatsApp asked for a restart',
  };
  return (statusCode !== undefined ? known[statusCode] : undefined) ?? fallback ?? 'The connection closed';
}
