import { useEffect, useState } from 'react';
import type { DesktopApi, DesktopInfo } from '../../../server/contract/desktop.ts';

declare global {
  interface Window {
    /** Set by the desktop app's preload; absent in a browser. */
    wagateDesktop?: DesktopApi;
  }
}

/** What the desktop shell tells the page (a moved port, how credentials are kept); null in a browser. */
export function useDesktopInfo(): DesktopInfo | null {
  const [info, setInfo] = useState<DesktopInfo | null>(null);
  useEffect(() => {
    window.wagateDesktop?.getInfo().then(setInfo, () => setInfo(null));
  }, []);
  return info;
}
