// Dates as people read them ("3 min ago"), with the exact time in a <time> element for assistive tech.
export function Ago({ at }: { at: string | null | undefined }) {
  if (!at) return <span className="muted">never</span>;
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return <span>{at}</span>;
  const s = Math.round((Date.now() - d.getTime()) / 1000);
  const text = s < 45 ? 'just now' : s < 3600 ? `${Math.round(s / 60)} min ago` : s < 86400 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86400)} d ago`;
  return <time dateTime={d.toISOString()} title={d.toUTCString()}>{text}</time>;
}
