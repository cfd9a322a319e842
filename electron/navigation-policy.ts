import type { WebContents } from 'electron';

/** Where a link or a navigation may go: inside the window, to the system browser, or nowhere. */
export type NavigationDecision = 'allow' | 'external' | 'deny';

const EXTERNAL_PROTOCOLS = new Set(['http:', 'https:']);

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Only the dashboard's own origin (scheme, host and port) stays in the window. */
export function isAppUrl(url: string, appOrigin: string): boolean {
  return parse(url)?.origin === appOrigin;
}

/**
 * The dashboard's own pages load in the window; other web links go to the system browser, but only plain
 * http(s) with no credentials in them (file:, javascript:, custom schemes and the like are refused).
 */
export function decideNavigation(url: string, appOrigin: string): NavigationDecision {
  const parsed = parse(url);
  if (!parsed) return 'deny';
  if (parsed.origin === appOrigin) return 'allow';
  if (!EXTERNAL_PROTOCOLS.has(parsed.protocol) || parsed.username || parsed.password || !parsed.hostname) return 'deny';
  return 'external';
}

export interface NavigationGuard {
  appOrigin: string;
  openExternal(url: string): void;
}

/**
 * Applies the policy to one web contents: in-page navigations leave the origin only through the system browser,
 * no new Electron window is ever opened (a same-origin target=_blank loads in this window), and <webview> is refused.
 */
export function applyNavigationPolicy(contents: WebContents, { appOrigin, openExternal }: NavigationGuard): void {
  const route = (url: string): void => {
    if (decideNavigation(url, appOrigin) === 'external') openExternal(url);
  };
  contents.on('will-navigate', (event) => {
    if (decideNavigation(event.url, appOrigin) === 'allow') return;
    event.preventDefault();
    route(event.url);
  });
  contents.on('will-redirect', (event) => {
    if (decideNavigation(event.url, appOrigin) !== 'allow') event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (decideNavigation(url, appOrigin) === 'allow') void contents.loadURL(url);
    else route(url);
    return { action: 'deny' };
  });
}
