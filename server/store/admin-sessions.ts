import { createHash, randomBytes } from 'node:crypto';
import { migrate, type Migrations, type Database } from './database.ts';
import { ADMIN_SESSION_LIFETIME_MS, LOGIN_LINK_LIFETIME_MS } from '../contract/lifetimes.ts';

/**
 * The dashboard's access, separate from API keys. A one-time login token (printed by `wagate serve` and
 * `wagate dashboard`, which may run in another process: hence SQLite) is exchanged for a session cookie.
 * Only hashes are stored.
 */
export interface AdminSessions {
  readonly cookieName: string;
  issueLoginToken(): string;
  /** Consumes a login token; answers a new session's cookie value, or null when the token is unknown, used or old. */
  redeemLoginToken(token: string): string | null;
  /** A session made directly, for Electron's window (no link to click). */
  createSession(): string;
  isValidSession(cookieValue: string | undefined): boolean;
  /** Signs a session out: its cookie opens nothing any more. */
  endSession(cookieValue: string): void;
}

export const ADMIN_SESSIONS_MIGRATIONS: Migrations = {
  part: 'admin_sessions',
  steps: {
    0: `CREATE TABLE admin_login_tokens (hash BLOB PRIMARY KEY, expires_at INTEGER NOT NULL);
     CREATE TABLE admin_sessions (hash BLOB PRIMARY KEY, expires_at INTEGER NOT NULL);`,
  },
};

const hash = (secret: string): Buffer => createHash('sha256').update(secret).digest();
const newSecret = (): string => randomBytes(32).toString('base64url');

export function createAdminSessions(db: Database, now: () => number = Date.now): AdminSessions {
  migrate(db, ADMIN_SESSIONS_MIGRATIONS);
  const statements = {
    forgetOldTokens: db.prepare('DELETE FROM admin_login_tokens WHERE expires_at <= ?'),
    insertToken: db.prepare('INSERT INTO admin_login_tokens (hash, expires_at) VALUES (?, ?)'),
    redeemToken: db.prepare('DELETE FROM admin_login_tokens WHERE hash = ? AND expires_at > ?'),
    forgetOldSessions: db.prepare('DELETE FROM admin_sessions WHERE expires_at <= ?'),
    insertSession: db.prepare('INSERT INTO admin_sessions (hash, expires_at) VALUES (?, ?)'),
    endSession: db.prepare('DELETE FROM admin_sessions WHERE hash = ?'),
    liveSession: db.prepare('SELECT 1 FROM admin_sessions WHERE hash = ? AND expires_at > ?'),
  };

  function createSession(): string {
    const value = newSecret();
    statements.forgetOldSessions.run(now());
    statements.insertSession.run(hash(value), now() + ADMIN_SESSION_LIFETIME_MS);
    return value;
  }

  return {
    cookieName: 'wagate_admin',
    issueLoginToken() {
      const token = newSecret();
      statements.forgetOldTokens.run(now());
      statements.insertToken.run(hash(token), now() + LOGIN_LINK_LIFETIME_MS);
      return token;
    },
    redeemLoginToken(token) {
      const removed = statements.redeemToken.run(hash(token), now());
      return removed.changes === 1 ? createSession() : null;
    },
    createSession,
    endSession(cookieValue) {
      statements.endSession.run(hash(cookieValue));
    },
    isValidSession(cookieValue) {
      if (!cookieValue) return false;
      return statements.liveSession.get(hash(cookieValue), now()) !== undefined;
    },
  };
}
