import { createHash, randomBytes } from 'node:crypto';
import { migrate, type Database } from './database.ts';

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

const MIGRATIONS = [
  `CREATE TABLE admin_login_tokens (hash BLOB PRIMARY KEY, expires_at INTEGER NOT NULL);
   CREATE TABLE admin_sessions (hash BLOB PRIMARY KEY, expires_at INTEGER NOT NULL);`,
];

const LOGIN_TOKEN_TTL_MS = 15 * 60_000;
const SESSION_TTL_MS = 30 * 24 * 3600_000;

const hash = (secret: string): Buffer => createHash('sha256').update(secret).digest();
const newSecret = (): string => randomBytes(32).toString('base64url');

export function createAdminSessions(db: Database, now: () => number = Date.now): AdminSessions {
  migrate(db, 'admin_sessions', MIGRATIONS);

  function createSession(): string {
    const value = newSecret();
    db.prepare('DELETE FROM admin_sessions WHERE expires_at <= ?').run(now());
    db.prepare('INSERT INTO admin_sessions (hash, expires_at) VALUES (?, ?)').run(hash(value), now() + SESSION_TTL_MS);
    return value;
  }

  return {
    cookieName: 'wagate_admin',
    issueLoginToken() {
      const token = newSecret();
      db.prepare('DELETE FROM admin_login_tokens WHERE expires_at <= ?').run(now());
      db.prepare('INSERT INTO admin_login_tokens (hash, expires_at) VALUES (?, ?)').run(
        hash(token),
        now() + LOGIN_TOKEN_TTL_MS,
      );
      return token;
    },
    redeemLoginToken(token) {
      const removed = db
        .prepare('DELETE FROM admin_login_tokens WHERE hash = ? AND expires_at > ?')
        .run(hash(token), now());
      return removed.changes === 1 ? createSession() : null;
    },
    createSession,
    endSession(cookieValue) {
      db.prepare('DELETE FROM admin_sessions WHERE hash = ?').run(hash(cookieValue));
    },
    isValidSession(cookieValue) {
      if (!cookieValue) return false;
      return (
        db.prepare('SELECT 1 FROM admin_sessions WHERE hash = ? AND expires_at > ?').get(hash(cookieValue), now()) !==
        undefined
      );
    },
  };
}
