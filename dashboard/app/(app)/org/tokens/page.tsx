// The user's API tokens: create one (shown once) and revoke those no longer needed.
import type { Metadata } from 'next';
import { Breadcrumbs } from '@/app/ui/breadcrumbs';
import { listTokens } from '@/lib/orgs';
import { load } from '@/lib/load';
import { ProblemPanel } from '@/app/ui/problem';
import { Ago } from '@/app/ui/time';
import { CreateTokenForm } from '../forms';
import { revokeTokenAction } from '../actions';

export const metadata: Metadata = { title: 'API tokens' };

export default async function TokensPage() {
  const result = await load(async (v) => {
    const [tokens, account] = await Promise.all([listTokens(v.token), v.account()]);
    return { tokens, operator: account.operator };
  });
  return (
    <div className="stack">
      <Breadcrumbs trail={[{ href: '/org', label: 'Organisation' }]} />
      <h1>API tokens</h1>
      <p className="lede">For the <code>paddock</code> CLI and scripts. A token acts as you; revoke it when a machine no longer needs it.</p>
      <section className="card" aria-labelledby="new-token-title">
        <h2 id="new-token-title">New token</h2>
        <CreateTokenForm operator={result.ok && result.data.operator} />
      </section>
      {!result.ok ? (
        <ProblemPanel problem={result.problem} />
      ) : result.data.tokens.length === 0 ? (
        <p className="card empty">No tokens yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Your API tokens">
            <thead><tr><th scope="col">Name</th><th scope="col">Starts with</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {result.data.tokens.map((t) => (
                <tr key={t.id}>
                  <th scope="row">{t.name}</th>
                  <td data-label="Starts with"><code>{t.prefix ?? '—'}</code></td>
                  <td data-label="Scopes">{t.scopes?.join(', ') ?? '—'}</td>
                  <td data-label="Created"><Ago at={t.createdAt} /></td>
                  <td data-label="Last used"><Ago at={t.lastUsedAt} /></td>
                  <td>
                    {t.revokedAt ? <span className="badge badge-idle">revoked</span> : t.expiresAt && Date.parse(t.expiresAt) < Date.now() ? <span className="badge badge-idle">expired</span> : (
                    <form action={revokeTokenAction}>
                      <input type="hidden" name="id" value={t.id} />
                      <button type="submit" className="button button-secondary" aria-label={`Revoke token ${t.name}`}>Revoke</button>
                    </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
