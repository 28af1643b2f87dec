// The access line a request leaves in its site's log, as people read it:
// "GET /blog?page=2 → 200 in 12 ms, 3.4 KiB". The edge writes it; `paddock logs`, the API and the
// dashboard's live log show it as it is.

export interface AccessEntry {
  /** -1 when the client went away before any answer (as HAProxy logs it). */
  status: number;
  /** From the request's arrival to the answer's last byte. */
  ms: number;
  /** Body bytes sent. */
  bytes: number;
  method: string;
  path: string;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatAccess(a: AccessEntry): string {
  const took = a.ms >= 0 ? ` in ${a.ms} ms` : '';
  if (a.status < 0) return `${a.method} ${a.path} → no answer: the client went away${a.ms >= 0 ? ` after ${a.ms} ms` : ''}`;
  return `${a.method} ${a.path} → ${a.status}${took}, ${size(Math.max(0, a.bytes))}`;
}
