import { isIP } from 'node:net';
import type { RequestHandler } from 'express';
import { sendFail } from '../envelope.ts';

/** `host[:port]` and nothing else: `[::1].evil.com` or `127.0.0.1:1@evil.com` are not a host of ours. */
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[^:@[\]/\s]+)(?::\d{1,5})?$/i;

export interface HostPolicy {
  names: ReadonlySet<string>;
  /** On a bind to every interface, addresses typed as numbers (192.168.1.5) are fine: DNS rebinding needs a name. */
  allowIpLiterals: boolean;
}

function isAllowed(host: string, policy: HostPolicy): boolean {
  const match = HOST_HEADER.exec(host);
  if (!match) return false;
  const hostname = match[1]!.toLowerCase();
  if (policy.names.has(hostname)) return true;
  return policy.allowIpLiterals && isIP(hostname.replace(/^\[|\]$/g, '')) !== 0;
}

/**
 * DNS-rebinding defence: a page on evil.example that re-points its name at 127.0.0.1 still sends
 * `Host: evil.example`, so only the names this server really answers to are let through.
 */
export function hostCheck(policy: HostPolicy): RequestHandler {
  return (req, res, next) => {
    const host = req.headers.host ?? '';
    if (isAllowed(host, policy)) return next();
    sendFail(res, 403, `Host "${host}" is not allowed; use http://127.0.0.1 or http://localhost`);
  };
}
