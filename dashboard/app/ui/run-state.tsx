// Whether a site is awake or asleep, as a labelled badge: the words carry the meaning, the colour only helps.
import type { RunState } from '@/lib/sites';

const labels: Record<RunState, { text: string; tone: string }> = {
  serving: { text: 'Awake', tone: 'ok' },
  paused: { text: 'Sleeping (paused)', tone: 'idle' },
  stopped: { text: 'Sleeping (stopped)', tone: 'idle' },
  none: { text: 'Not deployed', tone: 'idle' },
};

export function RunStateBadge({ state }: { state: RunState | undefined }) {
  if (!state) return <span className="muted">—</span>;
  const l = labels[state] ?? { text: state, tone: 'idle' };
  return <span className={`badge badge-${l.tone}`} data-run-state={state}>{l.text}</span>;
}
