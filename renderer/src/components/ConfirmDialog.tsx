import { useEffect, useId, useRef, type ReactNode } from 'react';
import { focusById } from '../state/focus.ts';

interface Props {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** The safe choice's words, when "Cancel" would read as the action itself ("Cancel sending"). */
  cancelLabel?: string;
  onConfirm: () => void;
  onCancel: () => void;
  /**
   * The id of what takes the focus once the dialog closes on a confirm. The browser gives it back to the control that
   * opened the dialog, which what was confirmed usually removes: a list that redraws before the action's answer (an
   * event from the core) would drop the focus to the page. Without it, the browser's choice.
   */
  focusAfterConfirm?: string;
}

/** A modal question before anything that cannot be undone; Escape and "Cancel" both leave it unchanged. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  cancelLabel = 'Cancel',
  onConfirm,
  onCancel,
  focusAfterConfirm,
}: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const bodyId = useId();
  const confirmed = useRef(false);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      element.showModal();
      // The safe choice has the focus, so Enter pressed by habit changes nothing.
      cancel.current?.focus();
    }
    if (!open && element.open) {
      element.close();
      if (confirmed.current && focusAfterConfirm) focusById(focusAfterConfirm);
    }
    confirmed.current = false;
  }, [open, focusAfterConfirm]);

  return (
    <dialog
      ref={dialog}
      className="confirm"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onClose={() => open && onCancel()}
    >
      <h2 id={titleId}>{title}</h2>
      <div id={bodyId}>{children}</div>
      <div className="actions">
        <button
          type="button"
          className="danger"
          onClick={() => {
            confirmed.current = true;
            onConfirm();
          }}
        >
          {confirmLabel}
        </button>
        <button type="button" ref={cancel} onClick={onCancel}>
          {cancelLabel}
        </button>
      </div>
    </dialog>
  );
}
