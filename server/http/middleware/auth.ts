import type { Request, RequestHandler } from 'express';
import type { ApiKeyStore } from '../../store/api-keys.ts';
import type { AdminSessions } from '../../store/admin-sessions.ts';
import { sendFail } from '../envelope.ts';
import type { AuthFailures } from './auth-failures.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every value of the cookie `name`: another app on localhost may set one of the same name on a narrower path
 * (cookies ignore the port), and the browser sends that one first. A value that does not decode is skipped.
 */
export function readCookies(req: Request, name: string): string[] {
  return (req.headers.cookie ?? '').split(';').flatMap((part) => {
    const split = part.indexOf('=');
    if (split < 0 || part.slice(0, split).trim() !== name) return [];
    try {
      return [decodeURIComponent(part.slice(split + 1).trim())];
    } catch {
      return [];
    }
  });
}

/** The origin a URL belongs to, or null for one that does not parse. */
function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * CSRF defence for cookie-authenticated writes: the browser says where the request comes from. Sec-Fetch-Site first
 * (every current browser, and the desktop app's window, sends it), then Origin, then Referer; a write that says
 * nothing of where it comes from is refused, as a browser always says something.
 */
function isSameOrigin(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const own = `http://${req.headers.host}`;
  const origin = req.headers.origin;
  if (origin !== undefined) return origin === own;
  const referer = req.headers.referer;
  return referer !== undefined && originOf(referer) === originOf(own);
}

function hasAdminSession(req: Request, admin: AdminSessions): boolean {
  const signedIn = readCookies(req, admin.cookieName).some((value) => admin.isValidSession(value));
  return signedIn && (SAFE_METHODS.has(req.method) || isSameOrigin(req));
}

function readApiKey(req: Request): string | undefined {
  const header = req.headers.authorization?.trim();
  if (!header) return undefined;
  return header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : header;
}

const KEY_ERRORS = {
  unknown: 'Invalid or missing authentication',
  expired: 'API key expired',
  revoked: 'API key revoked',
} as const;

/**
 * The public API: an API key in `Authorization` (raw or `Bearer`), or the dashboard's admin session. A client past its
 * allowance of wrong keys gets 429 for them; its right key still opens.
 */
export function requireCaller(keys: ApiKeyStore, admin: AdminSessions, failures: AuthFailures): RequestHandler {
  return (req, res, next) => {
    const key = readApiKey(req);
    if (key !== undefined) {
      const check = keys.verify(key);
      if (!check.ok) {
        const retryAfter = failures.record(req.socket.remoteAddress ?? 'unknown');
        if (retryAfter === null) return sendFail(res, 401, KEY_ERRORS[check.reason]);
        res.setHeader('Retry-After', String(retryAfter));
        return sendFail(res, 429, `Too many wrong API keys from this client: try again in ${retryAfter} s`);
      }
      const id = check.record.id;
      res.locals.callerId = `key:${id}`;
      res.locals.stillAuthorized = () => keys.isActive(id);
      return next();
    }
    if (!hasAdminSession(req, admin)) return sendFail(res, 401, 'Invalid or missing authentication');
    res.locals.callerId = 'dashboard';
    res.locals.stillAuthorized = () => hasAdminSession(req, admin);
    next();
  };
}

/** The dashboard's own endpoints: only the admin session opens them; an API key never does. */
export function requireAdmin(admin: AdminSessions): RequestHandler {
  return (req, res, next) => {
    if (hasAdminSession(req, admin)) return next();
    sendFail(res, 401, 'Dashboard login required: open the link printed by `wagate dashboard`');
  };
}
