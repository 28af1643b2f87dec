// Where to go after logging in: only paths on this dashboard, so a crafted link cannot send users elsewhere.
import type { Route } from 'next';

export function safeNext(raw: string | undefined | null): Route {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\') || /[\r\n]/.test(raw)) return '/sites';
  return raw as Route;
}
