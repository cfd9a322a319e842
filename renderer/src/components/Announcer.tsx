import { useCallback, useState, type ReactNode } from 'react';
import { AnnounceContext } from '../state/announce.ts';

/**
 * The screen's one live region. It is always in the page, empty or not (screen readers watch only regions that
 * already exist, and skip ones that are `display: none`), and visually hidden: sighted users see each outcome where
 * it happened. Saying the same words twice toggles a trailing space, so the repeat is still a change.
 */
export function Announcer({ children }: { children: ReactNode }) {
  const [said, setSaid] = useState({ text: '', count: 0 });
  const announce = useCallback((text: string) => setSaid((last) => ({ text, count: last.count + 1 })), []);
  return (
    <AnnounceContext value={announce}>
      {children}
      <p role="status" className="visually-hidden announcer">
        {said.text}
        {said.count % 2 === 1 ? '\u00a0' : ''}
      </p>
    </AnnounceContext>
  );
}
