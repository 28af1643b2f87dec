// Sends visitors without a session cookie to the login page before any protected page renders.
// Only a cheap first gate: every page still asks the API who the token belongs to.
import { NextResponse, type NextRequest } from 'next/server';

const SESSION_COOKIE = 'paddock_dashboard_session';

export function proxy(request: NextRequest) {
  if (request.cookies.get(SESSION_COOKIE)?.value) return NextResponse.next();
  const url = request.nextUrl.clone();
  url.search = '';
  url.pathname = '/login';
  url.searchParams.set('next', request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(url);
}

export const config = { matcher: ['/sites/:path*', '/org/:path*', '/admin/:path*', '/invitations/:path*'] };
