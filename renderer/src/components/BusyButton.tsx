import type { ButtonHTMLAttributes, MouseEvent } from 'react';

type Props = ButtonHTMLAttributes<HTMLButtonElement> & { busy: boolean };

/**
 * A button that stays focusable while it cannot be pressed (`aria-disabled`, not `disabled`): a disabled button drops
 * the keyboard focus to the page, and its dimmed label ("Creating…") was the only sign of progress.
 */
export function BusyButton({ busy, onClick, children, ...rest }: Props) {
  function press(event: MouseEvent<HTMLButtonElement>): void {
    if (busy) {
      // Also stops a submit button's form, whether clicked or submitted with Enter.
      event.preventDefault();
      return;
    }
    onClick?.(event);
  }
  return (
    <button {...rest} aria-disabled={busy || undefined} onClick={press}>
      {children}
    </button>
  );
}
