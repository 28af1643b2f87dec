// A site's status as a coloured, labelled badge (the colour is never the only signal).
const tone: Record<string, string> = {
  ready: 'ok', live: 'ok', running: 'ok', awake: 'ok', active: 'ok', succeeded: 'ok',
  provisioning: 'busy', deploying: 'busy', building: 'busy', pending: 'busy', queued: 'busy', releasing: 'busy',
  sleeping: 'idle', paused: 'idle', stopped: 'idle', superseded: 'idle',
  suspended: 'bad', failed: 'bad', error: 'bad', deleting: 'bad', deleted: 'bad',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${tone[status] ?? 'idle'}`}>{status}</span>;
}
