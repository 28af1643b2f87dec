'use client';
// The last resort when a page fails in a way it did not handle itself: say so, offer a retry.
// (Production builds hide the server's message; the digest ties it to the server log.)
import { useEffect } from 'react';

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div className="narrow stack">
      <h1>Something went wrong</h1>
      <p role="alert">This page could not be shown. Try again; if it keeps failing, check that the API is up (the home page shows its health).</p>
      {error.digest ? <p className="muted small">Reference: <code>{error.digest}</code></p> : null}
      <button type="button" className="button" onClick={() => reset()}>Try again</button>
    </div>
  );
}
