// Shown while a signed-in page waits for the API.
export default function Loading() {
  return (
    <div className="stack" aria-busy="true">
      <p role="status" className="muted">Loading…</p>
      <div className="skeleton" />
      <div className="skeleton" />
    </div>
  );
}
