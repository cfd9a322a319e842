import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A screen's title; it takes the focus when the screen opens, so screen readers announce where the user is, and it
 * names the browser tab and window (each screen its own title, WCAG 2.4.2).
 */
export function ScreenHeading({ id, children }: { id: string; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${heading.current?.textContent ?? ''} – WaGate`;
    return () => {
      document.title = 'WaGate';
    };
  });
  useEffect(() => {
    if (document.activeElement !== document.body && document.activeElement?.closest('nav') === null) return;
    heading.current?.focus();
  }, []);
  return (
    <h1 id={id} ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}
