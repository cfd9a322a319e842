/**
 * A key or secret shown once: read-only, selected whole on focus, and wrapped onto as many lines as it needs, so no
 * part of it hides past the field's edge in a narrow window.
 */
export function SecretField({ id, value }: { id: string; value: string }) {
  return (
    <textarea
      id={id}
      className="secret grow"
      readOnly
      rows={1}
      spellCheck={false}
      value={value}
      onFocus={(event) => event.target.select()}
    />
  );
}
