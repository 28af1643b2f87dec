// Previous / next links for the admin tables, keeping the search in the URL.
import Link from 'next/link';
import type { Route } from 'next';
import type { PageInfo } from '@/lib/admin';

export function Pager({ path, query, info }: { path: Route; query: Record<string, string>; info: PageInfo }) {
  const pages = Math.max(1, Math.ceil(info.total / info.limit));
  if (pages <= 1) return null;
  const href = (p: number) => ({ pathname: path, query: { ...query, ...(p > 1 ? { page: String(p) } : {}) } });
  return (
    <nav aria-label="Pages" className="pager">
      {info.page > 1 ? <Link href={href(info.page - 1)} rel="prev">← Previous</Link> : <span />}
      <span className="muted small">Page {info.page} of {pages} · {info.total} in all</span>
      {info.page < pages ? <Link href={href(info.page + 1)} rel="next">Next →</Link> : <span />}
    </nav>
  );
}

/** The page number from the URL: a positive integer, 1 otherwise. */
export function pageParam(raw: string | string[] | undefined): number {
  const n = Number(typeof raw === 'string' ? raw : 1);
  return Number.isInteger(n) && n >= 1 && n <= 100000 ? n : 1;
}

export function textParam(raw: string | string[] | undefined): string {
  return typeof raw === 'string' ? raw.trim().slice(0, 100) : '';
}
