import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../server/store/database.ts';
import { atEnd, type Scope } from './scope.ts';

export interface TempDatabase {
  dir: string;
  file: string;
  db: Database;
  /** Another connection to the same file, as another process (the CLI) or a restart would open it. */
  open(): Database;
}

/** A real SQLite file opened as WaGate opens it, in a folder of its own; every connection closed, then the folder removed, when `scope` ends. */
export function tempDatabase(scope: Scope, prefix = 'wagate-db-'): TempDatabase {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'wagate.db');
  const connections: Database[] = [];
  const open = () => {
    const db = openDatabase(file);
    connections.push(db);
    return db;
  };
  atEnd(scope, () => {
    for (const db of connections) if (db.isOpen) db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, file, db: open(), open };
}
