import { Router } from 'express';
import type { AdminSessions } from '../../store/admin-sessions.ts';
import { sendOk } from '../envelope.ts';
import { readCookies, requireAdmin } from '../middleware/auth.ts';
import type { AdminInfo } from '../../contract/admin.ts';
import { ADMIN_SESSION_LIFETIME_MS } from '../../contract/lifetimes.ts';

/** The dashboard's way in: the one-time link becomes an HttpOnly, SameSite=Strict session cookie. */
export function createAdminLoginRouter(deps: { admin: AdminSessions; info: () => AdminInfo }): Router {
  const { admin } = deps;
  const router = Router();

  router.get('/login', (req, res) => {
    const session = typeof req.query.token === 'string' ? admin.redeemLoginToken(req.query.token) : null;
    // A person clicked this link: the page explains a used or old link in plain words.
    if (!session) return res.redirect(303, '/?login=expired');
    res.cookie(admin.cookieName, session, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      maxAge: ADMIN_SESSION_LIFETIME_MS,
    });
    res.redirect(303, '/');
  });

  router.get('/me', requireAdmin(admin), (_req, res) => {
    sendOk(res, 'Signed in to the dashboard', deps.info());
  });

  router.post('/logout', requireAdmin(admin), (req, res) => {
    for (const value of readCookies(req, admin.cookieName)) admin.endSession(value);
    res.clearCookie(admin.cookieName, { httpOnly: true, sameSite: 'strict', path: '/' });
    sendOk(res, 'Signed out of the dashboard: open a fresh link from `wagate dashboard` to come back', {
      signed_out: true,
    });
  });

  return router;
}
