import { useEffect, useState } from 'react';
import { DASHBOARD_SCREEN_PATHS, type ScreenPath } from '../../../server/contract/dashboard.ts';

export type { ScreenPath };

const KNOWN = new Set<string>(DASHBOARD_SCREEN_PATHS);
const CHANGE = 'wagate:navigate';

function current(): ScreenPath | null {
  const path = window.location.pathname.replace(/\/+$/, '');
  return KNOWN.has(path) ? (path as ScreenPath) : null;
}

/** The screen named by the address bar (null for `/`), kept in step with back/forward. */
export function usePath(): ScreenPath | null {
  const [path, setPath] = useState(current);
  useEffect(() => {
    const update = () => setPath(current());
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return path;
}

export function navigate(path: ScreenPath): void {
  if (window.location.pathname !== path) window.history.pushState(null, '', path);
  window.dispatchEvent(new Event(CHANGE));
}
