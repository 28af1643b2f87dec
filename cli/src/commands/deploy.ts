// Deploying: `push` (pack, upload with progress, follow the build and release), `releases`, `rollback`.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { resolve } from 'node:path';
import { defineCommand, siteOption, type Context } from '../command.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { failedBecause, failureReason, followDeploy, isSuccess, releaseVersion, type Deploy } from '../deploy-stream.js';
import { packSite, type Packed } from '../pack.js';
import { readLink, requireSiteDir, resolveSite, sitePath } from '../project.js';
import { formatBytes, ProgressBar } from '../progress.js';
import { getSite, siteUrl } from '../site-resource.js';
import type { Release as ApiRelease } from '@paddock/control-plane/api-types';

/** Uploads the tarball; network failures are retried with a fresh stream, since the API keeps nothing of a cut upload. */
async function upload(ctx: Context, site: string, packed: Packed, attempts: number): Promise<Deploy> {
  for (let attempt = 1; ; attempt++) {
    const bar = new ProgressBar(ctx.out, 'Uploading', packed.size);
    let sent = 0;
    const file = createReadStream(packed.file, { highWaterMark: 64 * 1024 });
    file.on('data', (chunk) => {
      sent += chunk.length;
      bar.update(sent);
    });
    try {
      const res = await ctx.api.fetch('POST', sitePath(site, '/deploys'), {
        rawBody: Readable.toWeb(file) as unknown as ReadableStream<Uint8Array>,
        duplex: 'half',
        headers: { 'content-type': 'application/gzip', 'x-content-sha256': packed.sha256, 'x-content-length': String(packed.size) },
        notFoundHint: 'Run `paddock sites` to list your sites, or `paddock sites:create <name>`.',
        timeoutMs: 0,
        retries: 0,
        signal: ctx.signal,
      });
      bar.finish();
      const body = (await res.json()) as Deploy | { deploy: Deploy };
      return 'deploy' in body ? body.deploy : body;
    } catch (err) {
      bar.abort();
      file.destroy();
      if (err instanceof CliError && err.code === 'CLI_NETWORK' && attempt < attempts && !ctx.signal.aborted) {
        ctx.out.warn(`Upload failed (${err.message}); retrying (${attempt + 1}/${attempts})…`);
        await new Promise((r) => setTimeout(r, 500 * attempt));
        continue;
      }
      if (err instanceof CliError && err.code === 'CLI_NETWORK') {
        throw new CliError('CLI_NETWORK', `The upload to ${ctx.apiBase} failed after ${attempt} attempt(s): ${err.message}`, 'Nothing was deployed. Check your connection and run `paddock push` again.', ExitCode.network);
      }
      throw err;
    }
  }
}

export const push = defineCommand({
  name: 'push',
  aliases: ['deploy'],
  group: 'Deploy',
  summary: 'Deploy this directory to its site',
  usage: 'push [dir] [--site <name>]',
  description:
    'Packs the site directory (leaving out what .paddockignore lists, plus .git, node_modules, .env),\n' +
    'uploads it with a progress bar, streams the build and release logs and prints the URL.\n' +
    'Exits with 6 when the build or release fails; the previous release keeps serving.',
  options: { ...siteOption, retries: { type: 'string', placeholder: 'n', description: 'upload attempts on network errors (default: 3)' } },
  positionals: { max: 1 },
  examples: ['paddock push', 'paddock push --site myblog', 'paddock push ./site --json', 'PADDOCK_TOKEN=... paddock deploy --site myblog'],
  async run(ctx, { values, positionals }) {
    const site = resolveSite(ctx, values.site);
    const from = positionals[0] ? resolve(ctx.cwd, positionals[0]) : readLink(ctx.cwd)?.dir ?? ctx.cwd;
    const dir = requireSiteDir(from);
    const started = Date.now();
    // Ask first: an API that refuses the upload early (no such site, not ready) would otherwise
    // look like a network error half-way through sending the tarball.
    const target = await getSite(ctx.api, site);
    if (target.status !== 'ready') {
      throw new CliError('CLI_SITE_NOT_READY', `Site "${site}" is ${target.status}${target.statusReason ? ` (${target.statusReason})` : ''}; it cannot take a deploy now.`, target.status === 'provisioning' ? 'Wait a moment and run `paddock push` again (`paddock info` shows its status).' : 'See `paddock info`.', ExitCode.failure);
    }
    const packed = await packSite(dir);
    try {
      for (const s of packed.skipped) ctx.out.warn(`Left out ${s}: a link pointing outside the site.`);
      ctx.out.info(`Packed ${packed.files} files (${formatBytes(packed.size)}) from ${dir}`);
      const attempts = values.retries === undefined ? 3 : Math.max(1, Number(values.retries) || 1);
      const deploy = await upload(ctx, site, packed, attempts);
      ctx.out.info(`Deploy ${deploy.id} started; following its logs…`);
      const result = await followDeploy(ctx.api, ctx.out, site, deploy.id, ctx.signal).catch((err: unknown) => {
        if (!ctx.signal.aborted) throw err;
        throw new CliError('CLI_INTERRUPTED', `Stopped following deploy ${deploy.id}; it goes on on the platform.`, 'See how it ends with `paddock releases` or `paddock logs`.', ExitCode.interrupted);
      });
      const version = releaseVersion(result);
      const url = result.url ?? siteUrl(target);
      const seconds = (Date.now() - started) / 1000;
      const summary = { site, deploy: result.id, status: result.status, release: version ?? null, url: url ?? null, seconds, error: failureReason(result) ?? null };
      if (!isSuccess(result.status)) {
        if (ctx.out.json) ctx.out.data(summary, () => undefined);
        throw new CliError(
          'CLI_DEPLOY_FAILED',
          failedBecause(`Deploy ${result.id} of ${site} failed`, result),
          'The previous release keeps serving. Fix the problem above and run `paddock push` again (`paddock logs` shows more).',
          ExitCode.deployFailed,
        );
      }
      ctx.out.data(summary, () => {
        ctx.out.success(`Released ${site}${version !== undefined ? ` v${version}` : ''} in ${seconds.toFixed(1)} s.`);
        if (url) ctx.out.line(ctx.out.cyan(url));
      });
    } finally {
      packed.cleanup();
    }
  },
});

type Release = ApiRelease;

/** "env: +NEW ~CHANGED -GONE", or nothing when no env var changed. */
function envSummary(c: Release['envChanges']): string {
  if (!c) return '';
  const parts = [...c.added.map((n) => `+${n}`), ...c.changed.map((n) => `~${n}`), ...c.removed.map((n) => `-${n}`)];
  return parts.length ? ` (env: ${parts.join(' ')})` : '';
}

export const releases = defineCommand({
  name: 'releases',
  group: 'Deploy',
  summary: 'List the site\'s releases, newest first',
  usage: 'releases [--site <name>]',
  options: { ...siteOption },
  examples: ['paddock releases', 'paddock releases --site myblog --json'],
  async run(ctx, { values }) {
    const site = resolveSite(ctx, values.site);
    const answer = await ctx.api.json<Release[] | { releases: Release[] }>('GET', sitePath(site, '/releases'), { notFoundHint: 'Run `paddock sites` to list your sites.' });
    const list = Array.isArray(answer) ? answer : answer.releases;
    ctx.out.data(list, () => {
      if (!list.length) return ctx.out.line(`No releases yet: run ${ctx.out.cyan('paddock push')}.`);
      ctx.out.table(list, [
        ['VERSION', (r) => `v${r.version}${r.current ? ctx.out.green(' *') : ''}`],
        ['STATUS', (r) => r.status ?? ''],
        ['CREATED', (r) => r.createdAt ?? ''],
        ['DESCRIPTION', (r) => `${r.description ?? ''}${envSummary(r.envChanges)}`],
      ]);
    });
  },
});

export const rollback = defineCommand({
  name: 'rollback',
  group: 'Deploy',
  summary: 'Re-release an earlier release\'s code and env vars (default: the release before the current one)',
  usage: 'rollback [version] [--site <name>]',
  options: { ...siteOption },
  positionals: { max: 1 },
  examples: ['paddock rollback', 'paddock rollback 3', 'paddock rollback v3 --site myblog'],
  async run(ctx, { values, positionals }) {
    const site = resolveSite(ctx, values.site);
    const raw = positionals[0]?.replace(/^v/i, '');
    const version = raw === undefined ? undefined : Number(raw);
    if (raw !== undefined && !(Number.isInteger(version) && version! > 0)) {
      throw new CliError('CLI_USAGE', `"${positionals[0]}" is not a release version.`, 'Pass a number like 3 or v3; `paddock releases` lists them.', ExitCode.usage);
    }
    const answer = await ctx.api.json<Deploy | { deploy: Deploy } | { changed: false; version: number }>('POST', sitePath(site, '/rollback'), {
      body: version === undefined ? {} : { version },
      notFoundHint: 'Run `paddock releases` to list the releases.',
    });
    if ('changed' in answer && answer.changed === false) {
      return ctx.out.data(answer, () => ctx.out.line(`v${answer.version} is already live on ${site}; nothing changed.`));
    }
    let result = 'deploy' in answer ? answer.deploy : answer as Deploy;
    if (result.id && !isSuccess(result.status)) result = await followDeploy(ctx.api, ctx.out, site, result.id, ctx.signal);
    if (!isSuccess(result.status)) {
      throw new CliError('CLI_DEPLOY_FAILED', failedBecause(`Rollback of ${site} failed`, result), 'The current release keeps serving. See `paddock logs`.', ExitCode.deployFailed);
    }
    const v = releaseVersion(result);
    // Without a version the API chose one: its new release says which ("Rollback to v3 (code and env vars)").
    let from = version;
    if (from === undefined && v !== undefined && !ctx.out.json) {
      const list = await ctx.api.json<{ releases: Array<{ version: number; description: string }> }>('GET', sitePath(site, '/releases')).catch(() => undefined);
      const m = /rollback (?:to|of) v(\d+)/i.exec(list?.releases.find((r) => r.version === v)?.description ?? '');
      if (m) from = Number(m[1]);
    }
    ctx.out.data(result, () => ctx.out.success(`Rolled back ${site}${from ? ` to v${from}` : ''}${v !== undefined ? ` (now v${v})` : ''}.`));
  },
});
