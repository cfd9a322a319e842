import { createContext, useContext } from 'react';

/** Says an outcome ("Key created") to screen readers through the screen's one live region (components/Announcer). */
export type Announce = (text: string) => void;

export const AnnounceContext = createContext<Announce>(() => {});

export function useAnnounce(): Announce {
  return useContext(AnnounceContext);
}
