// The dashboard's own session: the API's session token kept in an HttpOnly cookie, never readable
// by page scripts; server code reads it and sends it to the API as a bearer token.
import 'server-only';
import { cookies, headers } from 'next/headers';

// Not the API's own cookie name (`paddock_session`): cookies ignore ports, so on one host the
// API would otherwise accept the dashboard's cookie from any page that can reach it.
export const SESSION_COOKIE = 'paddock_dashboard_session';
const MAX_AGE_SECONDS = 60 * 60 * 24 * 14;

export async function sessionToken(): Promise<string | undefined> {
  return (await cookies()).get(SESSION_COOKIE)?.value || undefined;
}

/** Secure cookies whenever the browser reached us over HTTPS (directly or through a proxy that says so). */
async function overHttps(): Promise<boolean> {
  if (process.env.PADDOCK_DASHBOARD_SECURE_COOKIES === '1') return true;
  const h = await headers();
  return h.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

/** Only in server actions and route handlers (cookies cannot be set while rendering). */
export async function startSession(token: string, maxAgeSeconds = MAX_AGE_SECONDS): Promise<void> {
  (await cookies()).set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: await overHttps(),
    path: '/',
    maxAge: maxAgeSeconds,
  });
}

export async function endSession(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
}

