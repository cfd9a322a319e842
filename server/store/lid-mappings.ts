import type { Database } from './database.ts';
import { migrate, type Migrations } from './database.ts';

export const LID_MAPPINGS_MIGRATIONS: Migrations = {
  part: 'lid_mappings',
  steps: {
    0: `CREATE TABLE lid_mappings (
       lid TEXT PRIMARY KEY,
       pn TEXT NOT NULL,
       updated_at INTEGER NOT NULL
     )`,
    1: 'CREATE INDEX lid_mappings_by_pn ON lid_mappings (pn)',
  },
};

/** The same person under their two addresses. Both are bare JIDs: `…@s.whatsapp.net` and `…@lid`. */
export interface LidMapping {
  pn: string;
  lid: string;
}

/**
 * What WhatsApp told us about who is who: a phone number's LID and a LID's phone number, kept across restarts so a
 * person keeps one chat whichever address a message used.
 */
export interface LidMappings {
  remember(m: LidMapping): void;
  lidOf(pn: string): string | null;
  pnOf(lid: string): string | null;
  /** Every JID a chat is known by: a person's phone number and LID (what is known of them), a group as itself. */
  aliasesOf(jid: string): string[];
}

export function createLidMappings(db: Database): LidMappings {
  migrate(db, LID_MAPPINGS_MIGRATIONS);
  const upsert = db.prepare(
    `INSERT INTO lid_mappings (lid, pn, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (lid) DO UPDATE SET pn = excluded.pn, updated_at = excluded.updated_at WHERE pn != excluded.pn`,
  );
  const byPn = db.prepare('SELECT lid FROM lid_mappings WHERE pn = ? ORDER BY updated_at DESC LIMIT 1');
  const byLid = db.prepare('SELECT pn FROM lid_mappings WHERE lid = ?');

  const lidOf = (pn: string) => (byPn.get(pn) as { lid: string } | undefined)?.lid ?? null;
  const pnOf = (lid: string) => (byLid.get(lid) as { pn: string } | undefined)?.pn ?? null;
  return {
    remember: ({ pn, lid }) => void upsert.run(lid, pn, Date.now()),
    lidOf,
    pnOf,
    aliasesOf(jid) {
      if (jid.endsWith('@s.whatsapp.net')) return [jid, lidOf(jid)].filter((j): j is string => j !== null);
      if (jid.endsWith('@lid')) return [pnOf(jid), jid].filter((j): j is string => j !== null);
      return [jid];
    },
  };
}
