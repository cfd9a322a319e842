/**
 * The dashboard's screens, each its own address so that a reload or a bookmark opens it again. Some share their path
 * with an API prefix (`/sandbox`, `/outbox`): the server tells a browser's navigation from an API call.
 */
export const DASHBOARD_SCREEN_PATHS = [
  '/pairing',
  '/keys',
  '/send',
  '/outbox',
  '/pacing',
  '/webhooks',
  '/sandbox',
] as const;
export type ScreenPath = (typeof DASHBOARD_SCREEN_PATHS)[number];
