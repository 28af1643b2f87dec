// Log in.
import type { Metadata, Route } from 'next';
import { redirect } from 'next/navigation';
import { currentAccount } from '@/lib/accounts';
import { safeNext } from '@/lib/next-path';
import { LoginForm } from '../auth-forms';

export const metadata: Metadata = { title: 'Log in' };

export default async function LoginPage({ searchParams }: PageProps<'/login'>) {
  const q = await searchParams;
  const next = safeNext(typeof q.next === 'string' ? q.next : undefined);
  if (await currentAccount().catch(() => undefined)) redirect(next as Route);
  return (
    <div className="narrow stack">
      <h1>Log in to Paddock</h1>
      {q.signedOut ? <p className="notice notice-ok" role="status">You are logged out.</p> : null}
      {q.reset ? <p className="notice notice-ok" role="status">Your password is changed; log in with the new one.</p> : null}
      {q.expired ? <p className="notice" role="status">Your session has ended; log in again.</p> : null}
      <LoginForm next={next} />
    </div>
  );
}
