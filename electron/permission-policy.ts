import type { Session } from 'electron';
import { isAppUrl } from './navigation-policy.ts';

/** The dashboard's copy buttons write to the clipboard; nothing else is ever granted. */
const GRANTED_TO_DASHBOARD = new Set<string>(['clipboard-sanitized-write']);

/** Deny by default: a permission is granted only when it is on the list and asked for by the dashboard's own origin. */
export function isPermissionGranted(permission: string, requestingUrl: string, appOrigin: string): boolean {
  return GRANTED_TO_DASHBOARD.has(permission) && isAppUrl(requestingUrl, appOrigin);
}

/** Both handlers are needed: requests are prompts (camera, notifications…), checks are silent queries. */
export function applyPermissionPolicy(session: Session, appOrigin: string): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionGranted(permission, details.requestingUrl, appOrigin));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionGranted(permission, requestingOrigin, appOrigin),
  );
  session.setDevicePermissionHandler(() => false);
}
