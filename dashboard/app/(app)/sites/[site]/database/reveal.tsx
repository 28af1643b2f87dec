'use client';
// A connection URL shown masked, revealed on request (a server action) with a copy button. The
// revealed URL lives only in this component's state: leaving the page forgets it.
import { useState, useTransition } from 'react';
import { revealUrlAction } from './actions';

export function ConnectionUrl({ site, which, masked }: { site: string; which: 'database' | 'cache'; masked: string }) {
  const [url, setUrl] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [copied, setCopied] = useState(false);
  const [pending, start] = useTransition();
  const what = which === 'database' ? 'the database' : 'the cache';
  const id = `url-${which}`;
  const reveal = () =>
    start(async () => {
      const r = await revealUrlAction(site, which);
      setUrl(r.url);
      setError(r.error);
      setCopied(false);
    });
  const copy = async () => {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      // No clipboard access (an insecure origin, a denied permission): select it for Ctrl+C instead.
      const input = document.getElementById(id);
      if (input instanceof HTMLInputElement) input.select();
    }
  };
  return (
    <div className="stack connection-url">
      {url ? (
        <div className="secret">
          <label htmlFor={id}>Connection URL of {what}</label>
          <input id={id} readOnly value={url} data-testid={`${which}-url`} onFocus={(e) => e.currentTarget.select()} spellCheck={false} />
          <div className="row-form">
            <button type="button" className="button" onClick={copy}>Copy<span className="sr-only"> the connection URL of {what}</span></button>
            <button type="button" className="button button-secondary" onClick={() => { setUrl(undefined); setCopied(false); }}>Hide<span className="sr-only"> the connection URL of {what}</span></button>
            <span role="status" className="muted small">{copied ? 'Copied.' : ''}</span>
          </div>
        </div>
      ) : (
        <>
          <p className="masked-url"><span className="muted small">Connection URL</span><code data-testid={`${which}-masked-url`}>{masked}</code></p>
          <button type="button" className="button button-secondary" onClick={reveal} disabled={pending} aria-disabled={pending}>
            {pending ? 'Revealing…' : 'Reveal connection URL'}<span className="sr-only"> of {what}</span>
          </button>
        </>
      )}
      {error ? <p className="notice notice-error" role="alert">{error}</p> : null}
    </div>
  );
}
