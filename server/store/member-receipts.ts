import { z } from 'zod';
import type { Database } from './database.ts';
import { migrate, type Migrations } from './database.ts';

export const MEMBER_RECEIPTS_MIGRATIONS: Migrations = {
  part: 'member_receipts',
  steps: {
    0: `CREATE TABLE member_receipts (
       message_id TEXT NOT NULL,
       member TEXT NOT NULL,
       delivered_at INTEGER,
       read_at INTEGER,
       PRIMARY KEY (message_id, member)
     )`,
  },
};

/** One group member's receipts for a message sent to the group. */
export const MemberReceiptSchema = z.object({
  /** The member: their phone-number JID when known, else their LID. */
  member: z.string(),
  /** Unix seconds, null until it happened. */
  delivered_at: z.number().int().nullable(),
  read_at: z.number().int().nullable(),
});
export type MemberReceipt = z.infer<typeof MemberReceiptSchema>;

/** In groups each member receipts separately: who got a message and who read it, and when. */
export interface MemberReceipts {
  record(messageId: string, member: string, kind: 'delivered' | 'read', at: number): void;
  of(messageId: string): MemberReceipt[];
}

export function createMemberReceipts(db: Database): MemberReceipts {
  migrate(db, MEMBER_RECEIPTS_MIGRATIONS);
  // Read implies delivered, even when only the read receipt comes.
  const delivered = db.prepare(
    `INSERT INTO member_receipts (message_id, member, delivered_at) VALUES (?, ?, ?)
     ON CONFLICT (message_id, member) DO UPDATE SET delivered_at = COALESCE(delivered_at, excluded.delivered_at)`,
  );
  const read = db.prepare(
    `INSERT INTO member_receipts (message_id, member, delivered_at, read_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (message_id, member) DO UPDATE SET delivered_at = COALESCE(delivered_at, excluded.delivered_at),
       read_at = COALESCE(read_at, excluded.read_at)`,
  );
  const byMessage = db.prepare(
    'SELECT member, delivered_at, read_at FROM member_receipts WHERE message_id = ? ORDER BY delivered_at, member',
  );
  return {
    record(messageId, member, kind, at) {
      if (kind === 'read') read.run(messageId, member, at, at);
      else delivered.run(messageId, member, at);
    },
    of: (messageId) => byMessage.all(messageId) as unknown as MemberReceipt[],
  };
}
