import type { Database } from './database.ts';

/** A message that left: when, to which chat, and whether that chat had never written to us. */
export interface PacedSend {
  chat: string;
  /** Unix ms. */
  at: number;
  newChat: boolean;
}

export interface PacingHistory {
  /** Messages that left since `sinceMs` (Unix ms), oldest first, each marked if its chat had never written to us. */
  sentSince(sinceMs: number): PacedSend[];
  /** Whether the chat has ever written to us: a chat that has not is a reach-out, which WhatsApp limits. */
  hasWrittenToUs(chatJid: string): boolean;
}

/**
 * What pacing needs to know from the stored messages, so its limits hold across a restart. A failed message counts
 * only if it left (WhatsApp's server refused it); one cancelled, expired, not on WhatsApp or unlinked never did.
 */
export function createPacingHistory(db: Database): PacingHistory {
  const sent = db.prepare(
    `SELECT o.chat_jid AS chat, COALESCE(o.sent_at, o.timestamp) * 1000 AS at,
            NOT EXISTS (SELECT 1 FROM messages i
                        WHERE i.chat_jid = o.chat_jid AND i.direction = 'inbound' AND i.timestamp <= o.timestamp) AS new_chat
       FROM messages o
      WHERE o.direction = 'outbound' AND o.status NOT IN ('queued', 'sending')
        AND (o.status <> 'failed' OR o.status_reason LIKE 'server_rejected:%')
        AND COALESCE(o.sent_at, o.timestamp) > ?
      ORDER BY at, o.seq`,
  );
  const inbound = db.prepare(`SELECT 1 FROM messages WHERE chat_jid = ? AND direction = 'inbound' LIMIT 1`);
  return {
    sentSince(sinceMs) {
      // In seconds, as stored, so that the comparison is the index's own expression.
      const rows = sent.all(sinceMs / 1000) as { chat: string; at: number; new_chat: number }[];
      return rows.map((r) => ({ chat: r.chat, at: r.at, newChat: r.new_chat === 1 }));
    },
    hasWrittenToUs: (chatJid) => inbound.get(chatJid) !== undefined,
  };
}
