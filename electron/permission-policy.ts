import type { Session } from 'electron';
import { isAppUrl } from './navigation-policy.ts';

/** The dashboard's copy buttons write to the clipboard; nothing else is ever granted, but the microphone below. */
const GRANTED_TO_DASHBOARD = new Set<string>(['clipboard-sanitized-write']);

/**
 * Deny by default: a permission is granted only when it is on the list and asked for by the dashboard's own origin.
 * The one exception is the microphone alone (`media` for audio only, never the camera), for the Send screen's voice
 * notes.
 */
export function isPermissionGranted(
  permission: string,
  requestingUrl: string,
  appOrigin: string,
  mediaTypes: readonly string[] = [],
): boolean {
  if (!isAppUrl(requestingUrl, appOrigin)) return false;
  if (permission === 'media') return mediaTypes.length > 0 && mediaTypes.every((type) => type === 'audio');
  return GRANTED_TO_DASHBOARD.has(permission);
}

/** Both handlers are needed: requests are prompts (camera, notifications…), checks are silent queries. */
export function applyPermissionPolicy(session: Session, appOrigin: string): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    callback(isPermissionGranted(permission, details.requestingUrl, appOrigin, mediaTypes));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    isPermissionGranted(permission, requestingOrigin, appOrigin, details?.mediaType ? [details.mediaType] : []),
  );
  session.setDevicePermissionHandler(() => false);
}
