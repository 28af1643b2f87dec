// Where an emailed invitation link lands (`/invitations/accept?token=…`), once logged in.
import type { Metadata } from 'next';
import { requireViewer } from '@/lib/guard';
import { AcceptForm } from './accept-form';

export const metadata: Metadata = { title: 'Join an organisation', referrer: 'no-referrer' };

export default async function AcceptInvitationPage({ searchParams }: PageProps<'/invitations/accept'>) {
  const { account } = await requireViewer();
  const q = await searchParams;
  const token = typeof q.token === 'string' ? q.token : '';
  return (
    <div className="narrow stack">
      <h1>Join an organisation</h1>
      {token ? (
        <>
          <p className="lede">The invitation must have been sent to <strong>{account.email}</strong>, the account you are logged in with.</p>
          <AcceptForm token={token} />
        </>
      ) : (
        <p className="notice notice-error" role="alert">This link has no invitation token in it. Copy the whole link from the email.</p>
      )}
    </div>
  );
}
