import { useId, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { ScreenPath } from '../state/route.ts';
import { ScreenLink } from './ScreenLink.tsx';

export interface ScreenEntry {
  path: ScreenPath;
  label: string;
}

/**
 * The screens: a row of tabs in a wide window; in a narrow one (the tray's 420 px, or zoomed in) one button that
 * names the current screen and opens the list under it, so the navigation takes one line and never scrolls
 * sideways. A link followed, or Escape, closes the list.
 */
export function ScreensNav({ screens, shown }: { screens: ScreenEntry[]; shown: ScreenPath }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const listId = useId();
  const current = screens.find((screen) => screen.path === shown);

  function followed(event: MouseEvent<HTMLElement>): void {
    if ((event.target as Element).closest('a')) setOpen(false);
  }
  function escape(event: KeyboardEvent<HTMLElement>): void {
    if (event.key !== 'Escape' || !open) return;
    setOpen(false);
    button.current?.focus();
  }

  return (
    <nav aria-label="Screens" className={open ? 'tabs open' : 'tabs'} onClick={followed} onKeyDown={escape}>
      <button
        type="button"
        ref={button}
        className="menu-button"
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => setOpen(!open)}
      >
        <span className="menu-icon" aria-hidden="true" />
        <span className="visually-hidden">Screens, now </span>
        {current?.label}
      </button>
      <ul id={listId}>
        {screens.map((screen) => (
          <li key={screen.path}>
            <ScreenLink path={screen.path} current={shown === screen.path}>
              {screen.label}
            </ScreenLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
