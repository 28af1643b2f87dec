// Runs before every page and server action:
// - refuses a cross-origin POST (a server action another site's page submits with the visitor's
//   cookie) with 403, before Next.js reads it;
// - gives each page a fresh nonce and a Content-Security-Policy that runs only scripts carrying it
//   (Next.js puts the nonce on its own scripts and styles, read from the policy in the request);
// - sends visitors without a session cookie to the login page before a protected page renders
//   (only a cheap first gate: every page still asks the API who the token belongs to).
import { NextResponse, type NextRequest } from 'next/server';
import { contentSecurityPolicy, crossOriginRefusal } from './lib/security-headers';

const SESSION_COOKIE = 'paddock_dashboard_session';
const PROTECTED = ['/sites', '/org', '/admin', '/invitations'];

export function proxy(request: NextRequest) {
  const refused = crossOriginRefusal(request.method, request.headers);
  if (refused) return new NextResponse(refused, { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });

  const path = request.nextUrl.pathname;
  if (PROTECTED.some((p) => path === p || path.startsWith(`${p}/`)) && !request.cookies.get(SESSION_COOKIE)?.value) {
    const url = request.nextUrl.clone();
    url.search = '';
    url.pathname = '/login';
    url.searchParams.set('next', request.nextUrl.pathname + request.nextUrl.search);
    return NextResponse.redirect(url);
  }

  const nonce = btoa(crypto.randomUUID());
  const policy = contentSecurityPolicy(nonce, {
    development: process.env.NODE_ENV === 'development',
    https: request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https' || request.nextUrl.protocol === 'https:',
  });
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

export const config = {
  // Every page, action and route handler; not the build's static files (they carry no policy of their own).
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
