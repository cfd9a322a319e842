import { useEffect, useRef } from 'react';

/**
 * Moves the keyboard focus to the element with this id, when the control the user pressed is gone or replaced
 * (otherwise the focus falls to the page and the next Tab starts from the top). The target carries tabIndex={-1}.
 */
export function focusById(id: string): void {
  document.getElementById(id)?.focus();
}

/** A ref whose element takes the focus when it appears, if `when` (the user's own action made it appear). */
export function useFocusOnMount<T extends HTMLElement>(when = true) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (when) ref.current?.focus();
    // Only on mount: later renders must not pull the focus back.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return ref;
}
