import type { MouseEvent, ReactNode } from 'react';
import { navigate, type ScreenPath } from '../state/route.ts';

/** A link to another screen that changes screens in place; a modified click still opens a new tab. */
export function ScreenLink({ path, current, children }: { path: ScreenPath; current?: boolean; children: ReactNode }) {
  function follow(event: MouseEvent<HTMLAnchorElement>): void {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) return;
    event.preventDefault();
    navigate(path);
  }
  return (
    <a href={path} aria-current={current ? 'page' : undefined} onClick={follow}>
      {children}
    </a>
  );
}
