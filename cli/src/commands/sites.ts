// Site commands: list, create (and link this folder), delete, info, open, link/unlink.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { relative } from 'node:path';
import { defineCommand, siteOption, yesOption } from '../command.js';
import { needsTerminal, usageError, CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { readLink, resolveSite, sitePath, writeLink } from '../project.js';
import { ask, canPrompt } from '../prompt.js';
import { formatBytes } from '../progress.js';
import { getSite, orgName, runStateText, siteUrl, waitForSite, type Site } from '../site-resource.js';
import type { SiteDatabase } from '@paddock/control-plane/api-types';

export const sites = defineCommand({
  name: 'sites',
  aliases: ['sites:list', 'apps'],
  group: 'Sites',
  summary: 'List your sites',
  usage: 'sites [--org <org>]',
  options: { org: { type: 'string', placeholder: 'org', description: 'only the sites of this organisation' } },
  examples: ['paddock sites', 'paddock sites --org acme', 'paddock sites --json'],
  async run(ctx, { values }) {
    const answer = await ctx.api.json<Site[] | { sites: Site[]; items?: Site[] }>('GET', '/v1/sites', { query: { org: values.org } });
    const list = Array.isArray(answer) ? answer : answer.sites ?? answer.items ?? [];
    ctx.out.data(list, () => {
      if (!list.length) return ctx.out.line(`No sites yet. Create one with ${ctx.out.cyan('paddock sites:create <name>')}.`);
      ctx.out.table(list, [
        ['NAME', (s) => s.name],
        ['STATUS', (s) => s.status],
        ['ORG', (s) => orgName(s)],
        ['URL', (s) => siteUrl(s) ?? ''],
        ['RELEASE', (s) => (s.release ? `v${s.release}` : '-')],
        ['STATE', (s) => (s.runState === 'serving' ? 'awake' : s.runState === 'none' || !s.runState ? '-' : `asleep (${s.runState})`)],
      ]);
    });
  },
});

export const sitesCreate = defineCommand({
  name: 'sites:create',
  aliases: ['create'],
  group: 'Sites',
  summary: 'Create a site and link this directory to it',
  usage: 'sites:create <name> [--org <org>] [--no-link]',
  description: 'The name is a DNS label (a-z, 0-9, -) unique on the platform; the site answers at <name>.<platform domain>.',
  options: {
    org: { type: 'string', placeholder: 'org', description: 'the organisation that owns it (default: your own)' },
    'no-link': { type: 'boolean', description: 'do not link this directory to the new site' },
    'no-wait': { type: 'boolean', description: 'return at once instead of waiting until it is provisioned' },
  },
  positionals: { min: 1, max: 1, names: 'a site name' },
  examples: ['paddock sites:create myblog', 'paddock sites:create shop --org acme'],
  async run(ctx, { values, positionals }) {
    const name = positionals[0]!;
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
      throw usageError(`"${name}" cannot be a site name: it becomes a host name (${name}.<platform domain>).`, 'Use 1 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen, e.g. `paddock sites:create my-blog`.');
    }
    const created = await ctx.api.json<Site | { site: Site }>('POST', '/v1/sites', { body: { name, ...(values.org ? { org: values.org } : {}) } });
    let site = 'site' in created ? created.site : created;
    if (!values['no-wait'] && site.status === 'provisioning') {
      if (!ctx.out.json) ctx.out.info(ctx.out.dim('Provisioning its database and cache…'));
      site = await waitForSite(ctx.api, site.name, { timeoutMs: 60_000, signal: ctx.signal });
    }
    let linked: string | undefined;
    if (!values['no-link']) linked = writeLink(ctx.cwd, { site: site.name, api: ctx.apiBase });
    ctx.out.data({ ...site, linked: linked ?? null }, () => {
      ctx.out.success(`Created site ${ctx.out.bold(site.name)} (${site.status}).`);
      const url = siteUrl(site);
      if (url) ctx.out.line(`It will answer at ${ctx.out.cyan(url)} once pushed.`);
      if (linked) ctx.out.line(`Linked ${relative(ctx.cwd, linked) || linked} → ${site.name}. Deploy with ${ctx.out.cyan('paddock push')}.`);
    });
  },
});

export const sitesDelete = defineCommand({
  name: 'sites:delete',
  aliases: ['destroy'],
  group: 'Sites',
  summary: 'Delete a site, its releases, database and cache',
  usage: 'sites:delete <name> [--yes]',
  description: 'Asks you to type the name again unless --yes is given. There is no undo.',
  options: { ...yesOption },
  positionals: { min: 1, max: 1, names: 'the site name' },
  examples: ['paddock sites:delete myblog', 'paddock sites:delete myblog --yes'],
  async run(ctx, { values, positionals }) {
    const name = positionals[0]!;
    if (!values.yes) {
      if (!canPrompt(ctx.streams)) throw needsTerminal('A confirmation', '--yes');
      // Check it exists first, so a typo does not end with "type the name to confirm".
      await getSite(ctx.api, name);
      ctx.out.warn(`This deletes ${ctx.out.bold(name)} with its releases, database and cache. There is no undo.`);
      const typed = (await ask(ctx.streams, `Type the site name to confirm: `)).trim();
      if (typed !== name) throw new CliError('CLI_NOT_CONFIRMED', `"${typed}" is not "${name}"; nothing was deleted.`, undefined, ExitCode.usage);
    }
    await ctx.api.json('DELETE', sitePath(name), { notFoundHint: 'Run `paddock sites` to list your sites.' });
    const link = readLink(ctx.cwd);
    ctx.out.data({ name, deleted: true }, () => {
      ctx.out.success(`Deleted site ${ctx.out.bold(name)}.`);
      if (link?.link.site === name) ctx.out.line(`This directory is still linked to it; link it elsewhere with ${ctx.out.cyan('paddock link <site>')}.`);
    });
  },
});

/** GET /v1/sites/:site/database (passwords masked unless ?reveal=true). */
export type DatabaseAnswer = SiteDatabase;

export const info = defineCommand({
  name: 'info',
  group: 'Sites',
  summary: 'Show a site: status, URL, release, whether it is awake, replicas, database and cache',
  usage: 'info [--site <name>]',
  options: { ...siteOption },
  examples: ['paddock info', 'paddock info --site myblog --json'],
  async run(ctx, { values }) {
    const site = await getSite(ctx.api, resolveSite(ctx, values.site));
    // Connection details, masked (`paddock db:url` reveals them); none while provisioning.
    const resources = await ctx.api.json<DatabaseAnswer>('GET', sitePath(site.name, '/database')).catch(() => undefined);
    ctx.out.data({ ...site, database: resources?.database ?? null, cache: resources?.cache ?? null }, () => {
      const db = resources?.database;
      const cache = resources?.cache;
      ctx.out.fields([
        ['name', site.name],
        ['status', site.status + (site.statusReason ? ` (${site.statusReason})` : '')],
        ['organisation', orgName(site)],
        ['url', siteUrl(site)],
        ['release', site.release ? `v${site.release} (live since ${site.lastDeployAt ?? '?'})` : `none yet (deploy with \`paddock push\`)`],
        ['state', runStateText(site.runState)],
        ['replicas', site.replicas],
        ['database', db ? `${db.url} (${formatBytes(db.sizeBytes)}${db.quotaBytes ? ` of ${formatBytes(db.quotaBytes)}` : ''})` : undefined],
        ['cache', cache ? `${cache.url} (keys under ${cache.prefix}${cache.usedKeys !== null ? `: ${cache.usedKeys}` : ''})` : undefined],
        ['memory', site.memoryMb ? `${site.memoryMb} MB` : undefined],
        ['domains', (site.domains ?? []).map((d) => (typeof d === 'string' ? d : d.hostname)).join(', ') || undefined],
        ['created', site.createdAt],
      ]);
    });
  },
});

export const open = defineCommand({
  name: 'open',
  group: 'Sites',
  summary: 'Open the site in a browser',
  usage: 'open [path] [--site <name>] [--print]',
  options: { ...siteOption, print: { type: 'boolean', description: 'print the URL instead of opening it' } },
  positionals: { max: 1 },
  examples: ['paddock open', 'paddock open /admin/', 'paddock open --print'],
  async run(ctx, { values, positionals }) {
    const site = await getSite(ctx.api, resolveSite(ctx, values.site));
    const base = siteUrl(site);
    if (!base) throw new CliError('CLI_NO_URL', `Site "${site.name}" has no URL yet.`, 'Push it first: `paddock push`.', ExitCode.failure);
    const url = new URL(positionals[0] ?? '/', base).toString();
    const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
    if (values.print || ctx.out.json || !ctx.streams.stdout.isTTY) {
      ctx.out.data({ url }, () => ctx.out.line(url));
      return;
    }
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => ctx.out.line(url));
    child.unref();
    ctx.out.line(`Opening ${url}`);
  },
});

export const link = defineCommand({
  name: 'link',
  group: 'Sites',
  summary: 'Link this directory to an existing site',
  usage: 'link <name>',
  options: {},
  positionals: { min: 1, max: 1, names: 'a site name' },
  examples: ['paddock link myblog'],
  async run(ctx, { positionals }) {
    const site = await getSite(ctx.api, positionals[0]!);
    const file = writeLink(ctx.cwd, { site: site.name, api: ctx.apiBase });
    ctx.out.data({ site: site.name, linked: file }, () => ctx.out.success(`Linked ${relative(ctx.cwd, file)} → ${site.name}.`));
  },
});

export const unlink = defineCommand({
  name: 'unlink',
  group: 'Sites',
  summary: 'Forget the site this directory is linked to',
  usage: 'unlink',
  options: {},
  examples: ['paddock unlink'],
  async run(ctx) {
    const found = readLink(ctx.cwd);
    if (!found) throw usageError('This directory is not linked to a site.');
    rmSync(`${found.dir}/.paddock/site.json`);
    ctx.out.success(`Unlinked ${found.dir} from ${found.link.site}.`);
  },
});
