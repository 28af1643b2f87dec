// Everything signed-in users see: checks the session with the API once per request (pages check
// again through the same cached call, so this is not the only gate).
import type { ReactNode } from 'react';
import { redirect } from 'next/navigation';
import { currentAccount } from '@/lib/accounts';
import { toProblem, type Problem } from '@/lib/load';
import { ProblemPanel } from '../ui/problem';

export default async function AppLayout({ children }: { children: ReactNode }) {
  let problem: Problem | undefined;
  let signedIn = false;
  try {
    signedIn = (await currentAccount()) !== undefined;
  } catch (e) {
    problem = toProblem(e);
  }
  if (problem) return <ProblemPanel problem={problem} />;
  if (!signedIn) redirect('/login?expired=1');
  return <>{children}</>;
}
