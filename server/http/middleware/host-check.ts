import type { RequestHandler } from 'express';
import { sendFail } from '../envelope.ts';

/**
 * DNS-rebinding defence: a page on evil.example that re-points its name at 127.0.0.1 still sends
 * `Host: evil.example`, so only the names this server really answers to are let through.
 */
export function hostCheck(allowedHostnames: ReadonlySet<string>): RequestHandler {
  return (req, res, next) => {
    const host = req.headers.host ?? '';
    const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
    if (allowedHostnames.has(hostname.toLowerCase())) return next();
    sendFail(res, 403, `Host "${host}" is not allowed; use http://127.0.0.1 or http://localhost`);
  };
}
