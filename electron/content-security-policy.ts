import type { Session } from 'electron';
import { isAppUrl } from './navigation-policy.ts';

/**
 * The dashboard is a built bundle served by the core: scripts and fonts come only from its own origin (no inline
 * script, no eval), the QR code may be a data: image, and the page talks only to its own server. Inline styles stay
 * allowed as in the core's own policy (server/http/security-headers.ts); both policies are enforced together.
 */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Response headers with the shell's policy added; a policy the core sends itself stays, and both are enforced. */
export function withContentSecurityPolicy(headers: Record<string, string[]>): Record<string, string[]> {
  const key =
    Object.keys(headers).find((name) => name.toLowerCase() === 'content-security-policy') ?? 'Content-Security-Policy';
  return { ...headers, [key]: [...(headers[key] ?? []), contentSecurityPolicy()] };
}

/** Adds the policy to every response of the dashboard's origin; nothing else is loaded by the window anyway. */
export function applyContentSecurityPolicy(session: Session, appOrigin: string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!isAppUrl(details.url, appOrigin)) return callback({});
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders ?? {}) });
  });
}
