/** WaGate's name and mark, at the top of every page. */
export function Brand() {
  return (
    <div className="brand">
      <span className="logo" aria-hidden="true">
        W
      </span>
      <span className="brand-name">WaGate</span>
    </div>
  );
}
