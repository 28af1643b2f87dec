// An API failure shown in place of the data it should have loaded, with what to do about it.
import type { Problem } from '@/lib/load';

export function ProblemPanel({ problem }: { problem: Problem }) {
  return (
    <section className="card problem" role="alert" aria-labelledby="problem-title">
      <h2 id="problem-title">{problem.title}</h2>
      <p>{problem.message}</p>
      {/* A route the API lacks stays missing on reload. */}
      <p className="muted small">Code: <code>{problem.code}</code>{problem.code === 'PDK_NOT_FOUND' ? null : ' · Reload the page to try again.'}</p>
    </section>
  );
}
