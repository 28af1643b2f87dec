// Sign up: an account and its first organisation.
import type { Metadata } from 'next';
import { SignupForm } from '../auth-forms';

export const metadata: Metadata = { title: 'Sign up' };

export default function SignupPage() {
  return (
    <div className="narrow stack">
      <h1>Create your Paddock account</h1>
      <p className="lede">You get an organisation of your own; invite others to it later.</p>
      <SignupForm />
    </div>
  );
}
