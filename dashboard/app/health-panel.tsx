// The API's health as a small panel: what each check says, or why the API could not be reached.
import type { Health } from '@/lib/health';

export function HealthPanel({ health }: { health: Health }) {
  const label = health.state === 'ok' ? 'All systems working' : health.state === 'degraded' ? 'The API is degraded' : 'The API is down';
  return (
    <section className={`card health health-${health.state}`} aria-labelledby="health-title" data-testid="health">
      <h2 id="health-title">
        <span className="dot" aria-hidden="true" /> {label}
      </h2>
      {health.state === 'down' ? (
        <p role="alert">
          The dashboard could not reach the control-plane API: {health.reason}. Start it with <code>npm start</code> or
          check <code>PADDOCK_API_URL</code>, then reload this page.
        </p>
      ) : (
        <dl className="checks">
          {Object.entries(health.checks).map(([name, status]) => (
            <div key={name} className={status.startsWith('ok') ? 'check-ok' : 'check-bad'}>
              <dt>{name}</dt>
              <dd>{status}</dd>
            </div>
          ))}
        </dl>
      )}
      <p className="muted small">API: {health.apiUrl}</p>
    </section>
  );
}
