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

/** `http://authority/path`: RFC 9112 §3.2.2 makes this authority the request's host, whatever `Host` says. */
const ABSOLUTE_FORM = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i;

function hostHeaders(rawHeaders: string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') count++;
  }
  return count;
}

/**
 * DNS-rebinding defence: a page on evil.example that re-points its name at 127.0.0.1 still sends
 * `Host: evil.example`, so only the names this server really answers to are let through. The host is the authority
 * of an absolute-form request line when there is one, and a request with several Host headers is malformed
 * (RFC 9112 §3.2): node would keep the first and a proxy might read the last.
 */
export function hostCheck(policy: HostPolicy): RequestHandler {
  return (req, res, next) => {
    if (hostHeaders(req.rawHeaders) > 1) return sendFail(res, 400, 'A request carries one Host header, not several');
    const absolute = req.url[0] === '/' ? null : ABSOLUTE_FORM.exec(req.url);
    if (absolute && absolute[1]!.toLowerCase() !== 'http')
      return sendFail(res, 400, `This server speaks http, not ${absolute[1]}`);
    const host = absolute ? absolute[2]! : (req.headers.host ?? '');
    if (isAllowed(host, policy)) return next();
    sendFail(res, 403, `Host "${host}" is not allowed; use http://127.0.0.1 or http://localhost`);
  };
}
