// Previous / next links for offset-paged admin tables.
import Link from 'next/link';
import type { Route } from 'next';

export const PAGE_SIZE = 50;

export function Pager({ path, q, offset, count, total }: { path: Route; q: string; offset: number; count: number; total: number | undefined }) {
  const hasNext = total !== undefined ? offset + count < total : count >= PAGE_SIZE;
  if (offset === 0 && !hasNext) return null;
  const href = (o: number) => ({ pathname: path, query: { ...(q ? { q } : {}), ...(o ? { offset: String(o) } : {}) } });
  return (
    <nav aria-label="Pages" className="pager">
      {offset > 0 ? <Link href={href(Math.max(0, offset - PAGE_SIZE))} rel="prev">← Previous</Link> : <span />}
      <span className="muted small">{offset + 1}–{offset + count}{total !== undefined ? ` of ${total}` : ''}</span>
      {hasNext ? <Link href={href(offset + count)} rel="next">Next →</Link> : <span />}
    </nav>
  );
}
