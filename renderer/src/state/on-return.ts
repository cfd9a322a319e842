import { useEffect } from 'react';

/**
 * Runs `handler` when the user comes back to the page (focus, or the tab shown again): for what changes without an
 * event, such as a key's "last used" or a `wagate …` command run in another process.
 */
export function useOnReturn(handler: () => void): void {
  useEffect(() => {
    const onVisible = () => document.visibilityState === 'visible' && handler();
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('focus', handler);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('focus', handler);
    };
  }, [handler]);
}
