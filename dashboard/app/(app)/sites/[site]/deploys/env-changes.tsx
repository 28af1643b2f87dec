// What a release did to the site's env vars, by name only: "env: +NEW ~CHANGED −GONE" on screen,
// and the words (added, changed, removed) for screen readers.
import type { EnvChanges } from '@/lib/deploys';

/** Names shown per release; the rest are counted (all of them are in the title). */
const SHOWN = 6;

const kinds = [
  { key: 'added', sign: '+', word: 'added' },
  { key: 'changed', sign: '~', word: 'changed' },
  { key: 'removed', sign: '−', word: 'removed' },
] as const;

export function EnvChangesNote({ changes }: { changes: EnvChanges | undefined }) {
  if (!changes) return null;
  const items = kinds.flatMap((k) => [...changes[k.key]].sort().map((name) => ({ ...k, name })));
  if (items.length === 0) return null;
  const shown = items.slice(0, SHOWN);
  const more = items.length - shown.length;
  const summary = kinds.filter((k) => changes[k.key].length).map((k) => `${k.word} ${[...changes[k.key]].sort().join(', ')}`).join('; ');
  return (
    <span className="env-changes muted small" data-testid="env-changes" title={`Env vars ${summary}`}>
      {' '}env:
      {shown.map((i) => (
        <span key={`${i.key}-${i.name}`}>
          {' '}<span aria-hidden="true">{i.sign}</span><span className="sr-only">{i.word} </span><code>{i.name}</code>
        </span>
      ))}
      {more > 0 ? ` and ${more} more` : null}
    </span>
  );
}
