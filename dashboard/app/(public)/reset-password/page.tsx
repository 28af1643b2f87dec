// Where the emailed reset link lands (`/reset-password?token=…`): choose a new password.
import type { Metadata } from 'next';
import Link from 'next/link';
import { NewPasswordForm } from '../auth-forms';

export const metadata: Metadata = { title: 'Choose a new password', referrer: 'no-referrer' };

export default async function ResetPasswordPage({ searchParams }: PageProps<'/reset-password'>) {
  const q = await searchParams;
  const token = typeof q.token === 'string' ? q.token : '';
  return (
    <div className="narrow stack">
      <h1>Choose a new password</h1>
      {token ? (
        <>
          <p className="lede">This logs you out everywhere else.</p>
          <NewPasswordForm token={token} />
        </>
      ) : (
        <p className="notice notice-error" role="alert">
          This link has no reset token in it. Copy the whole link from the email, or <Link href="/reset">ask for a new one</Link>.
        </p>
      )}
    </div>
  );
}
