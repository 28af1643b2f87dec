// Follows a deploy (or rollback) to its end: prints build and release log lines from the API's
// SSE stream and returns the final state. Falls back to polling when the stream is cut.
import type { ApiClient } from './api-client.js';
import type { Output } from './output.js';
import { sitePath } from './project.js';
import { readSse } from './sse.js';

export interface Deploy {
  id: string;
  status: string;
  release?: number | { version: number } | null;
  version?: number | null;
  url?: string | null;
  error?: string | { code?: string; message?: string } | null;
  reason?: string | null;
}

const succeeded = new Set(['succeeded', 'success', 'live', 'released', 'done', 'active', 'current']);
const failed = new Set(['failed', 'error', 'errored', 'cancelled', 'canceled', 'rejected']);

export function isFinal(status: string | undefined): boolean {
  return status !== undefined && (succeeded.has(status) || failed.has(status));
}

export function isSuccess(status: string | undefined): boolean {
  return status !== undefined && succeeded.has(status);
}

export function failureReason(d: Deploy): string | undefined {
  if (typeof d.error === 'string') return d.error;
  return d.error?.message ?? d.reason ?? undefined;
}

/**
 * "<what failed>: <the deploy's reason>." as one sentence: the reason's own full stop is dropped
 * (no ".."), and its first word lowercased after the colon ("the env change…", not "The env…").
 */
export function failedBecause(what: string, d: Deploy): string {
  let reason = failureReason(d)?.trim().replace(/[.\s]+$/, '');
  if (reason && /^[A-Z][a-z]/.test(reason)) reason = reason[0]!.toLowerCase() + reason.slice(1);
  return reason ? `${what}: ${reason}.` : `${what}.`;
}

export function releaseVersion(d: Deploy): number | undefined {
  if (typeof d.release === 'number') return d.release;
  if (d.release && typeof d.release === 'object') return d.release.version;
  return d.version ?? undefined;
}

interface LogData {
  line?: string;
  message?: string;
  text?: string;
  phase?: string;
  stream?: string;
  status?: string;
}

/** Prints the deploy's events until it ends; resolves with its final state. */
export async function followDeploy(api: ApiClient, out: Output, site: string, deployId: string, signal: AbortSignal): Promise<Deploy> {
  const path = sitePath(site, `/deploys/${encodeURIComponent(deployId)}`);
  let final: Deploy | undefined;
  try {
    const res = await api.fetch('GET', `${path}/events`, { headers: { accept: 'text/event-stream' }, signal, timeoutMs: 0 });
    for await (const ev of readSse(res.body, signal)) {
      let data: LogData & Partial<Deploy> = {};
      try {
        data = JSON.parse(ev.data) as LogData & Partial<Deploy>;
      } catch {
        data = { line: ev.data };
      }
      const text = data.line ?? data.message ?? data.text;
      if (text !== undefined && ev.event !== 'result' && ev.event !== 'end') {
        const prefix = data.phase ? out.dim(`[${data.phase}] `) : '';
        for (const l of String(text).split('\n')) out.info(`${prefix}${l}`);
      }
      if ((ev.event === 'result' || ev.event === 'end' || ev.event === 'status' || ev.event === 'done') && isFinal(data.status)) {
        final = { id: deployId, ...data, status: data.status! } as Deploy;
        break;
      }
    }
  } catch (err) {
    if (signal.aborted) throw err;
    out.warn('The log stream was interrupted; waiting for the result.');
  }
  if (final && (final.url !== undefined || releaseVersion(final) !== undefined)) return final;
  // The stream ended without (all of) the result: ask for it.
  let delay = 250;
  for (;;) {
    const d = await api.json<Deploy | { deploy: Deploy }>('GET', path, { signal, retries: 4 });
    const deploy = 'deploy' in d ? d.deploy : d;
    if (isFinal(deploy.status)) return { ...final, ...deploy };
    signal.throwIfAborted();
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 2000);
  }
}
