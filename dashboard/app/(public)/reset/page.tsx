// Ask for a password reset link by email.
import type { Metadata } from 'next';
import { ResetForm } from '../auth-forms';

export const metadata: Metadata = { title: 'Reset your password' };

export default function ResetPage() {
  return (
    <div className="narrow stack">
      <h1>Reset your password</h1>
      <p className="lede">We will email you a link to choose a new one.</p>
      <ResetForm />
    </div>
  );
}
