// The site's database backups: list them, take one, download one (a pg_dump archive), restore
// the site from one.
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { defineCommand, siteOption, type Context } from '../command.js';
import { CliError, usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { followDeploy } from '../deploy-stream.js';
import { formatBytes } from '../progress.js';
import { resolveSite, sitePath } from '../project.js';

const backupHint = 'List the site\'s backups with `paddock db:backups`.';

interface Backup {
  id: string;
  status: 'running' | 'complete' | 'failed';
  trigger: string;
  startedAt: string;
  completedAt: string | null;
  expiresAt: string | null;
  size: number | null;
  tables: string[] | null;
  error: string | null;
}

interface Restore {
  id: string;
  status: 'queued' | 'running' | 'releasing' | 'succeeded' | 'failed';
  deployId: string | null;
  error: string | null;
  previousKeptUntil: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function backupId(raw: string | undefined, command: string): string {
  if (!raw || !UUID.test(raw)) throw usageError(`${raw ? `"${raw}" is not a backup id` : 'Which backup?'}`, `Give the id \`paddock db:backups\` lists, e.g. \`paddock ${command} 3f1c…\`.`);
  return raw;
}

/** Polls `path` until its status is one of `final` (backups and restores run as background jobs). */
async function waitFor<T extends { status: string }>(ctx: Context, path: string, final: string[]): Promise<T> {
  for (;;) {
    const now = await ctx.api.json<T>('GET', path, { notFoundHint: backupHint });
    if (final.includes(now.status)) return now;
    await new Promise((r) => setTimeout(r, 1000));
    if (ctx.signal.aborted) throw new CliError('CLI_INTERRUPTED', 'Stopped waiting; the job goes on on the server.', 'See where it is with `paddock db:backups`.', ExitCode.failure);
  }
}

export const dbBackups = defineCommand({
  name: 'db:backups',
  group: 'Run-time',
  summary: 'List the site\'s database backups (complete and verified ones)',
  usage: 'db:backups [--site <name>]',
  options: { ...siteOption },
  examples: ['paddock db:backups', 'paddock db:backups --json | jq -r ".backups[0].id"'],
  async run(ctx, { values }) {
    const site = resolveSite(ctx, values.site);
    const answer = await ctx.api.json<{ retentionDays: number; backups: Backup[] }>('GET', sitePath(site, '/backups'), { notFoundHint: 'Run `paddock sites` to list your sites.' });
    ctx.out.data(answer, () => {
      if (!answer.backups.length) {
        ctx.out.info(`${site} has no backup yet: one is taken every day, or now with \`paddock db:backup\`.`);
        return;
      }
      ctx.out.table(answer.backups, [
        ['ID', (b) => b.id],
        ['TAKEN', (b) => (b.completedAt ?? b.startedAt).replace(/\.\d+Z$/, 'Z')],
        ['BY', (b) => b.trigger],
        ['SIZE', (b) => (b.size === null ? '' : formatBytes(b.size))],
        ['TABLES', (b) => String(b.tables?.length ?? '')],
        ['KEPT UNTIL', (b) => (b.expiresAt ?? '').replace(/\.\d+Z$/, 'Z')],
      ]);
      ctx.out.info(`Backups are kept ${answer.retentionDays} day(s) on this plan (the newest one always).`);
    });
  },
});

export const dbBackup = defineCommand({
  name: 'db:backup',
  group: 'Run-time',
  summary: 'Back up the site\'s database now, and wait until the backup is verified',
  usage: 'db:backup [--site <name>]',
  options: { ...siteOption },
  examples: ['paddock db:backup'],
  async run(ctx, { values }) {
    const site = resolveSite(ctx, values.site);
    const made = await ctx.api.json<Backup>('POST', sitePath(site, '/backups'), { notFoundHint: 'Run `paddock sites` to list your sites.' });
    ctx.out.info(`Backing up ${site}'s database (backup ${made.id})…`);
    const done = await waitFor<Backup>(ctx, sitePath(site, `/backups/${made.id}`), ['complete', 'failed']);
    if (done.status === 'failed') throw new CliError('CLI_BACKUP_FAILED', `The backup of ${site} failed: ${done.error ?? 'no reason recorded'}.`, 'Try again with `paddock db:backup`; if it fails again, check the site\'s database with `paddock db:psql`.', ExitCode.failure);
    ctx.out.data(done, () => ctx.out.success(`Backup ${done.id} of ${site}: ${formatBytes(done.size ?? 0)}, ${done.tables?.length ?? 0} table(s), verified.`));
  },
});

export const dbDownload = defineCommand({
  name: 'db:download',
  group: 'Run-time',
  summary: 'Download a backup as a pg_dump archive (holds every row: the download is audited)',
  usage: 'db:download <backup-id> [-o <file>] [--site <name>]',
  options: { ...siteOption, output: { type: 'string', short: 'o', placeholder: 'file', description: 'where to write it (default: <site>-<time>.dump here)' } },
  positionals: { min: 1, max: 1, names: 'a backup id' },
  examples: ['paddock db:download 3f1c2a9e-… -o latest.dump', 'paddock db:download 3f1c2a9e-… -o latest.dump && pg_restore --no-owner -d mydb latest.dump'],
  async run(ctx, { values, positionals }) {
    const site = resolveSite(ctx, values.site);
    const id = backupId(positionals[0], 'db:download');
    const res = await ctx.api.fetch('GET', sitePath(site, `/backups/${id}/download`), { headers: { accept: 'application/octet-stream' }, notFoundHint: backupHint, timeoutMs: 0, signal: ctx.signal });
    const named = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
    const file = values.output ?? named ?? `${site}-${id}.dump`;
    if (!res.body) throw new CliError('CLI_BAD_RESPONSE', 'The API sent no backup.', 'Try again.', ExitCode.failure);
    const part = `${file}.part`;
    let bytes = 0;
    const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
    body.on('data', (c: Buffer) => { bytes += c.length; });
    try {
      await pipeline(body, createWriteStream(part, { mode: 0o600 }));
    } catch (err) {
      rmSync(part, { force: true });
      throw new CliError('CLI_DOWNLOAD_FAILED', `The download of backup ${id} broke off: ${(err as Error).message}.`, 'Nothing was kept; run the command again.', ExitCode.failure);
    }
    renameSync(part, file);
    ctx.out.data({ file, bytes }, () => ctx.out.success(`Wrote ${file} (${formatBytes(bytes)}). Load it with \`pg_restore --no-owner -d <database> ${file}\`.`));
  },
});

export const dbRestore = defineCommand({
  name: 'db:restore',
  group: 'Run-time',
  summary: 'Restore the site\'s database from a backup, or to a moment (the site switches once the restored release is live)',
  usage: 'db:restore --backup <id> | --to <time> [--site <name>]',
  options: {
    ...siteOption,
    backup: { type: 'string', placeholder: 'id', description: 'the backup to restore (`paddock db:backups` lists them)' },
    to: { type: 'string', placeholder: 'time', description: 'a moment to go back to, e.g. 2026-12-07T14:05:00Z (where the platform archives its databases)' },
  },
  examples: ['paddock db:restore --backup 3f1c2a9e-…', 'paddock db:restore --to 2026-12-07T14:05:00Z'],
  async run(ctx, { values }) {
    const site = resolveSite(ctx, values.site);
    if ((values.backup === undefined) === (values.to === undefined)) throw usageError('Say what to restore: --backup <id> or --to <time>, one of them.', 'e.g. `paddock db:restore --backup 3f1c…` (ids from `paddock db:backups`), or `paddock db:restore --to 2026-12-07T14:05:00Z`.');
    let body: { backup: string } | { time: string };
    if (values.to !== undefined) {
      const at = Date.parse(values.to);
      if (Number.isNaN(at)) throw usageError(`--to takes a time like 2026-12-07T14:05:00Z, not "${values.to}".`);
      body = { time: new Date(at).toISOString() };
    } else body = { backup: backupId(values.backup, 'db:restore --backup') };
    const started = await ctx.api.json<Restore>('POST', sitePath(site, '/restore'), { body, notFoundHint: backupHint });
    ctx.out.info('time' in body ? `Recovering ${site}'s database as of ${body.time} into a fresh database…` : `Restoring ${site}'s database from backup ${body.backup} into a fresh database…`);
    let now = await waitFor<Restore>(ctx, sitePath(site, `/restores/${started.id}`), ['releasing', 'succeeded', 'failed']);
    if (now.status === 'releasing' && now.deployId) {
      await followDeploy(ctx.api, ctx.out, site, now.deployId, ctx.signal);
      now = await waitFor<Restore>(ctx, sitePath(site, `/restores/${started.id}`), ['succeeded', 'failed']);
    }
    if (now.status === 'failed') throw new CliError('CLI_RESTORE_FAILED', `The restore of ${site} failed: ${now.error ?? 'no reason recorded'}.`, 'The site keeps its database as it was. See `paddock logs`, then try again.', ExitCode.failure);
    ctx.out.data(now, () => ctx.out.success(`${site} now runs on the restored database. The one it replaced is kept until ${now.previousKeptUntil ?? 'tomorrow'}.`));
  },
});
