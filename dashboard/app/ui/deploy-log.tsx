'use client';
// A deploy's build and release log as it happens (Server-Sent Events through the dashboard),
// announced politely to screen readers; refreshes the page when the deploy ends.
import { useEffect, useRef, useState } from 'react';
import { useRouter } from 'next/navigation';

interface Line {
  line: string;
  phase?: string;
}

export function DeployLog({ src, initialStatus }: { src: string; initialStatus: string }) {
  const router = useRouter();
  const [lines, setLines] = useState<Line[]>([]);
  const [status, setStatus] = useState(initialStatus);
  const [problem, setProblem] = useState<string | undefined>();
  const box = useRef<HTMLPreElement>(null);

  useEffect(() => {
    const es = new EventSource(src);
    es.addEventListener('log', (e) => {
      const data = JSON.parse((e as MessageEvent<string>).data) as Line;
      setLines((prev) => [...prev, data]);
    });
    es.addEventListener('result', (e) => {
      const data = JSON.parse((e as MessageEvent<string>).data) as { status: string; error: string | null };
      setStatus(data.status);
      if (data.error) setProblem(data.error);
      es.close();
      router.refresh();
    });
    es.onerror = () => {
      // EventSource retries by itself; say so only when it has given up.
      if (es.readyState === EventSource.CLOSED) setProblem('The log stream closed; reload the page to see the outcome.');
    };
    return () => es.close();
  }, [src, router]);

  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines]);

  return (
    <div className="stack">
      <p className="muted small" role="status">Status: <strong data-testid="deploy-status">{status}</strong></p>
      <pre ref={box} className="code log" role="log" aria-live="polite" aria-label="Build and release log" data-testid="deploy-log" tabIndex={0}>
        {lines.length === 0 ? (['queued', 'building', 'releasing'].includes(status) ? 'Waiting for the build to start…' : 'Loading the log…') : lines.map((l) => (l.phase ? `[${l.phase}] ${l.line}` : l.line)).join('\n')}
      </pre>
      {problem ? <p className="notice notice-error" role="alert">{problem}</p> : null}
    </div>
  );
}
