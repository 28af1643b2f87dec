// Shown while a signed-in page waits for the API (each section's loading.tsx uses it). It sits
// below the layouts so a layout's notFound() still answers a real 404 before streaming starts.
export function PageLoading() {
  return (
    <div className="stack" aria-busy="true">
      <p role="status" className="muted">Loading…</p>
      <div className="skeleton" />
      <div className="skeleton" />
    </div>
  );
}
