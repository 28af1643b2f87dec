'use client';
// A site's logs as they arrive (Server-Sent Events through the dashboard), newest at the bottom,
// with pause; the last 1000 lines are kept.
import { useEffect, useRef, useState } from 'react';

interface Line {
  at: string;
  source: string;
  line: string;
  replica?: string;
}

/** What the platform sends instead of lines this connection was too slow to take. */
interface Dropped {
  dropped: number;
}

const KEEP = 1000;

export function LiveLog({ src }: { src: string }) {
  const [lines, setLines] = useState<Line[]>([]);
  const [state, setState] = useState<'connecting' | 'live' | 'paused' | 'closed'>('connecting');
  const paused = useRef(false);
  const box = useRef<HTMLPreElement>(null);

  useEffect(() => {
    const es = new EventSource(src);
    es.onopen = () => setState(paused.current ? 'paused' : 'live');
    es.addEventListener('log', (e) => {
      if (paused.current) return;
      const data = JSON.parse((e as MessageEvent<string>).data) as Line | Dropped;
      const l: Line = 'dropped' in data ? { at: new Date().toISOString(), source: 'paddock', line: `… ${data.dropped} line(s) skipped: this page fell behind the output` } : data;
      setLines((prev) => [...prev.slice(-(KEEP - 1)), l]);
    });
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) setState('closed');
    };
    return () => es.close();
  }, [src]);

  useEffect(() => {
    const el = box.current;
    if (el && !paused.current) el.scrollTop = el.scrollHeight;
  }, [lines]);

  return (
    <div>
      <div className="log-toolbar">
        <span className="muted small" role="status">{state === 'live' ? 'Live' : state === 'paused' ? 'Paused' : state === 'closed' ? 'Disconnected — reload to reconnect' : 'Connecting…'}</span>
        <button type="button" className="button button-secondary" onClick={() => { paused.current = !paused.current; setState(paused.current ? 'paused' : 'live'); }}>
          {state === 'paused' ? 'Resume' : 'Pause'}
        </button>
      </div>
      <pre ref={box} className="code log tall" role="log" aria-label="Site logs" data-testid="site-log" tabIndex={0}>
        {lines.length === 0 ? 'No log lines yet.' : lines.map((l) => `${l.at.slice(11, 19)} ${l.source}${l.replica ? `/${l.replica}` : ''}  ${l.line}`).join('\n')}
      </pre>
    </div>
  );
}
