// Running a site: logs, env vars, scale, custom domains, one-off commands and its database.
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { defineCommand, siteOption, type Context } from '../command.js';
import { CliError, usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { failedBecause, followDeploy, isSuccess, releaseVersion, type Deploy } from '../deploy-stream.js';
import { resolveSite, sitePath } from '../project.js';
import { readSse } from '../sse.js';
import type { RunResult } from '@paddock/control-plane/api-types';

const siteHint = 'Run `paddock sites` to list your sites.';

/** `--since 15m` / `2h` / `3d` / an ISO time → an ISO time. */
export function parseSince(since: string, now = Date.now()): string {
  const m = /^(\d+)\s*([smhd])$/.exec(since.trim());
  if (m) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now - Number(m[1]) * unit).toISOString();
  }
  const t = Date.parse(since);
  if (Number.isNaN(t)) throw usageError(`--since takes a duration like 15m, 2h, 1d or a time like 2026-01-31T12:00:00Z, not "${since}".`);
  return new Date(t).toISOString();
}

interface LogLine {
  time?: string;
  at?: string;
  source?: string;
  stream?: string;
  replica?: string;
  line?: string;
  message?: string;
  /** Sent by the platform instead of lines this connection was too slow to take. */
  dropped?: number;
}

const droppedNote = (n: number) => `… ${n} line(s) skipped: this connection fell behind the output (the platform drops lines rather than buffer them).`;

function printLog(ctx: Context, raw: string): void {
  let entry: LogLine | undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object') entry = parsed as LogLine;
  } catch {
    // a plain text line
  }
  if (ctx.out.json) return void ctx.streams.stdout.write(`${entry ? JSON.stringify(entry) : JSON.stringify({ line: raw })}\n`);
  if (!entry) return void ctx.streams.stdout.write(`${raw}\n`);
  if (typeof entry.dropped === 'number') return void ctx.out.warn(droppedNote(entry.dropped));
  const time = entry.time ?? entry.at;
  const source = entry.source ?? entry.replica ?? entry.stream;
  const prefix = [time ? ctx.out.dim(time) : '', source ? ctx.out.cyan(`[${source}]`) : ''].filter(Boolean).join(' ');
  ctx.streams.stdout.write(`${prefix ? `${prefix} ` : ''}${entry.line ?? entry.message ?? ''}\n`);
}

export const logs = defineCommand({
  name: 'logs',
  group: 'Run-time',
  summary: 'Show the site\'s logs (app output, requests, builds)',
  usage: 'logs [-f] [--since <time>] [-n <lines>] [--site <name>]',
  options: {
    ...siteOption,
    follow: { type: 'boolean', short: 'f', description: 'keep printing new lines until Ctrl-C' },
    since: { type: 'string', placeholder: 'time', description: 'only lines after this: 15m, 2h, 1d or an ISO time' },
    lines: { type: 'string', short: 'n', placeholder: 'n', description: 'how many recent lines (default: 100)' },
  },
  examples: ['paddock logs', 'paddock logs -f', 'paddock logs --since 1h -n 500', 'paddock logs --json | jq .line'],
  async run(ctx, { values }) {
    const site = resolveSite(ctx, values.site);
    const lines = values.lines === undefined ? undefined : Number(values.lines);
    if (lines !== undefined && !(Number.isInteger(lines) && lines > 0)) throw usageError('--lines takes a positive whole number.');
    const res = await ctx.api.fetch('GET', sitePath(site, '/logs'), {
      query: { follow: values.follow ? 1 : undefined, since: values.since ? parseSince(values.since) : undefined, lines },
      headers: { accept: values.follow ? 'text/event-stream' : 'application/json, text/event-stream, text/plain' },
      notFoundHint: siteHint,
      timeoutMs: values.follow ? 0 : 30_000,
      signal: ctx.signal,
    });
    const type = res.headers.get('content-type') ?? '';
    try {
      if (type.includes('text/event-stream')) {
        for await (const ev of readSse(res.body, ctx.signal)) printLog(ctx, ev.data);
      } else if (type.includes('json')) {
        const body = (await res.json()) as LogLine[] | { lines?: LogLine[]; logs?: LogLine[] };
        const list = Array.isArray(body) ? body : body.lines ?? body.logs ?? [];
        for (const l of list) printLog(ctx, JSON.stringify(l));
      } else {
        for (const l of (await res.text()).split('\n')) if (l) printLog(ctx, l);
      }
    } catch (err) {
      // Ctrl-C ends a follow: that is how it is meant to stop.
      if (ctx.signal.aborted && values.follow) return ExitCode.ok;
      throw err;
    }
    return ctx.signal.aborted && values.follow ? ExitCode.ok : undefined;
  },
});

type EnvAnswer = Record<string, string> | { vars: Record<string, string> | Array<{ key: string; value: string }>; deploy?: Deploy; release?: number; changed?: boolean };

/** The API saved nothing and made no release: every var already was as asked. */
const unchanged = (a: EnvAnswer): boolean => 'changed' in a && a.changed === false;

/** "A", "A and B", "A, B and C". */
function names(list: readonly string[]): string {
  return list.length < 2 ? list.join('') : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
}

function envVars(a: EnvAnswer): Record<string, string> {
  if ('vars' in a && typeof a.vars === 'object') {
    return Array.isArray(a.vars) ? Object.fromEntries(a.vars.map((v) => [v.key, v.value])) : a.vars;
  }
  return a as Record<string, string>;
}

/** Changing env vars makes a new release: follow it when the API says one started. */
async function followEnvRelease(ctx: Context, site: string, answer: EnvAnswer): Promise<string> {
  const deploy = 'deploy' in answer && typeof answer.deploy === 'object' ? (answer.deploy as Deploy) : undefined;
  if (!deploy?.id) return '';
  const result = isSuccess(deploy.status) ? deploy : await followDeploy(ctx.api, ctx.out, site, deploy.id, ctx.signal);
  if (!isSuccess(result.status)) {
    throw new CliError('CLI_DEPLOY_FAILED', failedBecause('The release with the new vars failed', result), 'See `paddock logs` for its log, and `paddock env` for the vars the site has now.', ExitCode.deployFailed);
  }
  const v = releaseVersion(result);
  return v !== undefined ? ` Released v${v}.` : ' Released.';
}

const envKey = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const env = defineCommand({
  name: 'env',
  aliases: ['config', 'env:list'],
  group: 'Run-time',
  summary: 'List the site\'s environment variables',
  usage: 'env [--site <name>] [--shell]',
  options: { ...siteOption, shell: { type: 'boolean', description: 'print KEY=value lines (to source or pipe)' } },
  examples: ['paddock env', 'paddock env --shell > .env.production', 'paddock env --json'],
  async run(ctx, { values }) {
    const site = resolveSite(ctx, values.site);
    const vars = envVars(await ctx.api.json<EnvAnswer>('GET', sitePath(site, '/env'), { notFoundHint: siteHint }));
    ctx.out.data(vars, () => {
      const keys = Object.keys(vars).sort();
      if (!keys.length) return ctx.out.line(`No variables set. Add one with ${ctx.out.cyan('paddock env:set KEY=value')}.`);
      if (values.shell) for (const k of keys) ctx.out.line(`${k}=${shellQuote(vars[k] ?? '')}`);
      else ctx.out.table(keys, [['KEY', (k) => k], ['VALUE', (k) => vars[k] ?? '']]);
    });
  },
});

function shellQuote(v: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]*$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

export const envSet = defineCommand({
  name: 'env:set',
  aliases: ['config:set'],
  group: 'Run-time',
  summary: 'Set environment variables (makes a new release when one changes)',
  usage: 'env:set KEY=value ... [--site <name>]',
  options: { ...siteOption },
  positionals: { min: 1, max: 100, names: 'at least one KEY=value' },
  examples: ['paddock env:set DEBUG=0', 'paddock env:set MAIL_FROM=hi@example.com SITE_TITLE="My blog"'],
  async run(ctx, { values, positionals }) {
    const site = resolveSite(ctx, values.site);
    const vars: Record<string, string> = {};
    for (const p of positionals) {
      const eq = p.indexOf('=');
      const key = eq < 0 ? p : p.slice(0, eq);
      if (eq < 0 || !envKey.test(key)) throw usageError(`"${p}" is not KEY=value (a key is letters, digits and _, not starting with a digit).`, 'Example: paddock env:set DEBUG=0');
      vars[key] = p.slice(eq + 1);
    }
    const answer = await ctx.api.json<EnvAnswer>('PATCH', sitePath(site, '/env'), { body: { vars }, notFoundHint: siteHint });
    const keys = Object.keys(vars);
    if (unchanged(answer)) {
      return ctx.out.data(answer, () => ctx.out.line(`${names(keys)} ${keys.length > 1 ? 'already have' : 'already has'} ${keys.length > 1 ? 'these values' : 'this value'}; nothing changed.`));
    }
    const released = await followEnvRelease(ctx, site, answer);
    ctx.out.data(answer, () => ctx.out.success(`Set ${keys.join(', ')} on ${site}.${released}`));
  },
});

export const envUnset = defineCommand({
  name: 'env:unset',
  aliases: ['config:unset'],
  group: 'Run-time',
  summary: 'Remove environment variables (makes a new release when one was set)',
  usage: 'env:unset KEY ... [--site <name>]',
  options: { ...siteOption },
  positionals: { min: 1, max: 100, names: 'at least one KEY' },
  examples: ['paddock env:unset DEBUG', 'paddock env:unset OLD_KEY OTHER_KEY'],
  async run(ctx, { values, positionals }) {
    const site = resolveSite(ctx, values.site);
    for (const k of positionals) if (!envKey.test(k)) throw usageError(`"${k}" is not a variable name.`);
    const answer = await ctx.api.json<EnvAnswer>('PATCH', sitePath(site, '/env'), { body: { vars: Object.fromEntries(positionals.map((k) => [k, null])) }, notFoundHint: siteHint });
    if (unchanged(answer)) {
      return ctx.out.data(answer, () => ctx.out.line(`${names(positionals)} ${positionals.length > 1 ? 'are' : 'is'} not set; nothing changed.`));
    }
    const released = await followEnvRelease(ctx, site, answer);
    ctx.out.data(answer, () => ctx.out.success(`Removed ${positionals.join(', ')} from ${site}.${released}`));
  },
});

export const scale = defineCommand({
  name: 'scale',
  group: 'Run-time',
  summary: 'Set how many replicas of the site run',
  usage: 'scale <replicas> [--site <name>]',
  options: { ...siteOption },
  positionals: { min: 1, max: 1, names: 'a replica count' },
  examples: ['paddock scale 2', 'paddock scale 1 --site myblog'],
  async run(ctx, { values, positionals }) {
    const site = resolveSite(ctx, values.site);
    const n = Number(positionals[0]!.replace(/^web=/, ''));
    if (!/^(web=)?\d+$/.test(positionals[0]!) || !Number.isInteger(n)) throw usageError(`"${positionals[0]}" is not a replica count.`, 'Give a whole number, e.g. `paddock scale 2`.');
    // Scaling to zero is not how a site stops here: it always runs at least one replica.
    if (n < 1) throw usageError(`A site runs at least 1 replica, so it cannot be scaled to ${n}.`, 'To take it offline, suspend it on its page in the dashboard (visitors then get a 503 page).');
    const answer = await ctx.api.json<{ replicas?: number; deployId?: string | null; changed?: boolean }>('POST', sitePath(site, '/scale'), { body: { replicas: n }, notFoundHint: siteHint });
    if (answer.changed === false) {
      return ctx.out.data(answer, () => ctx.out.line(`${site} already runs ${n} replica${n === 1 ? '' : 's'}; nothing changed.`));
    }
    let released = '';
    if (answer.deployId) {
      // A live site gets a release with the new replica count: follow it like a push.
      const result = await followDeploy(ctx.api, ctx.out, site, answer.deployId, ctx.signal);
      if (!isSuccess(result.status)) {
        throw new CliError('CLI_DEPLOY_FAILED', failedBecause(`Scaling ${site} failed`, result), 'The previous release keeps serving. See `paddock logs`.', ExitCode.deployFailed);
      }
      const v = releaseVersion(result);
      released = v !== undefined ? ` Released v${v}.` : ' Released.';
    }
    ctx.out.data(answer, () => ctx.out.success(`${site} now runs ${answer.replicas ?? n} replica(s).${released}`));
  },
});

interface Domain {
  hostname: string;
  status?: string;
  verified?: boolean;
  verification?: { type?: string; name?: string; value?: string } | null;
  dns?: Array<{ type: string; name: string; value: string }>;
  certificate?: { state: string; expiresAt: string | null; error: string | null; retryAt: string | null } | null;
}

/** The HTTPS column: the certificate's state, its expiry, or why it failed and when it is tried again. */
function certificateCell(d: Domain): string {
  const c = d.certificate;
  if (!c) return d.verified === false ? '-' : 'none';
  if (c.state === 'issued' || c.state === 'renewing') return `${c.state}${c.expiresAt ? `, expires ${c.expiresAt.slice(0, 10)}` : ''}`;
  if (c.state === 'failed') return `failed: ${c.error ?? 'unknown error'}${c.retryAt ? ` (retry ${c.retryAt.slice(0, 16).replace('T', ' ')} UTC)` : ''}`;
  return c.state;
}

function dnsRecords(d: Domain): Array<{ type: string; name: string; value: string }> {
  if (d.dns?.length) return d.dns;
  if (d.verification?.value) return [{ type: d.verification.type ?? 'TXT', name: d.verification.name ?? `_paddock.${d.hostname}`, value: d.verification.value }];
  return [];
}

export const domains = defineCommand({
  name: 'domains',
  group: 'Run-time',
  summary: 'List the site\'s custom domains',
  usage: 'domains [--site <name>]',
  options: { ...siteOption },
  examples: ['paddock domains', 'paddock domains --json'],
  async run(ctx, { values }) {
    const site = resolveSite(ctx, values.site);
    const answer = await ctx.api.json<Domain[] | { domains: Domain[] }>('GET', sitePath(site, '/domains'), { notFoundHint: siteHint });
    const list = Array.isArray(answer) ? answer : answer.domains;
    ctx.out.data(list, () => {
      if (!list.length) return ctx.out.line(`No custom domains. Add one with ${ctx.out.cyan('paddock domains:add <host>')}.`);
      ctx.out.table(list, [['HOST', (d) => d.hostname], ['STATUS', (d) => d.status ?? (d.verified ? 'verified' : 'pending')], ['CERTIFICATE', certificateCell]]);
    });
  },
});

export const domainsAdd = defineCommand({
  name: 'domains:add',
  group: 'Run-time',
  summary: 'Add a custom domain (prints the DNS record to create)',
  usage: 'domains:add <host> [--site <name>]',
  options: { ...siteOption },
  positionals: { min: 1, max: 1, names: 'a host name' },
  examples: ['paddock domains:add www.example.com'],
  async run(ctx, { values, positionals }) {
    const site = resolveSite(ctx, values.site);
    const answer = await ctx.api.json<Domain | { domain: Domain }>('POST', sitePath(site, '/domains'), { body: { hostname: positionals[0] }, notFoundHint: siteHint });
    const d = 'domain' in answer ? answer.domain : answer;
    ctx.out.data(d, () => {
      ctx.out.success(`Added ${ctx.out.bold(d.hostname)} to ${site} (${d.status ?? (d.verified ? 'verified' : 'pending verification')}).`);
      const records = dnsRecords(d);
      if (records.length) {
        ctx.out.line('Create this DNS record so the platform can verify it:');
        ctx.out.table(records, [['TYPE', (r) => r.type], ['NAME', (r) => r.name], ['VALUE', (r) => r.value]]);
      }
    });
  },
});

export const domainsRemove = defineCommand({
  name: 'domains:remove',
  group: 'Run-time',
  summary: 'Remove a custom domain',
  usage: 'domains:remove <host> [--site <name>]',
  options: { ...siteOption },
  positionals: { min: 1, max: 1, names: 'a host name' },
  examples: ['paddock domains:remove www.example.com'],
  async run(ctx, { values, positionals }) {
    const site = resolveSite(ctx, values.site);
    await ctx.api.json('DELETE', sitePath(site, `/domains/${encodeURIComponent(positionals[0]!)}`), { notFoundHint: 'Run `paddock domains` to list them.' });
    ctx.out.success(`Removed ${positionals[0]} from ${site}.`);
  },
});

type RunAnswer = RunResult;

type RunEvent = Partial<RunResult> & { line?: string; stream?: 'stdout' | 'stderr'; dropped?: number; error?: { code: string; message: string } };

export const run = defineCommand({
  name: 'run',
  group: 'Run-time',
  summary: 'Run a one-off command in a new container of the site',
  usage: 'run [--site <name>] [-e KEY=value ...] [--timeout <seconds>] -- <command> [args...]',
  description: 'The command is a paddock-runtime command (migrate, createsuperuser, check, showmigrations, loaddata, ..., and the '
    + 'commands of the site\'s own apps; `paddock run -- help` lists them), '
    + 'run in a new container of the live release with its env vars and the isolation of a replica. Its output streams back and '
    + 'paddock exits with its exit code (124 when it ran past the time limit; the platform\'s default is 10 minutes). '
    + '`shell` (the runtime\'s Node REPL with the site\'s models and database loaded, top-level await allowed) gets this terminal, '
    + 'in raw mode, until it exits (.exit or Ctrl-D); without a terminal give it code with -c CODE (its value is printed). '
    + 'Other commands get no stdin (use `paddock dev` locally, or `paddock db:psql`); '
    + 'what a command would read from stdin goes in -e (createsuperuser reads PADDOCK_SUPERUSER_PASSWORD, changepassword PADDOCK_NEW_PASSWORD). '
    + 'Ctrl-C stops the command.',
  options: {
    ...siteOption,
    env: { type: 'string', short: 'e', multiple: true, placeholder: 'KEY=value', description: 'an extra env var for this run only (repeatable; not recorded)' },
    timeout: { type: 'string', placeholder: 'seconds', description: 'stop it sooner than the platform\'s limit' },
  },
  positionals: { min: 1, names: 'a command' },
  passthrough: true,
  examples: [
    'paddock run -- migrate',
    'paddock run -- check --deploy',
    'paddock run -- shell',
    'paddock run -- shell -c "await Post.objects.count()"',
    'paddock run -e PADDOCK_SUPERUSER_PASSWORD="$PW" -- createsuperuser --username admin --email a@example.com',
    'paddock run --site myblog --timeout 60 -- showmigrations',
  ],
  async run(ctx, { values, positionals }) {
    const site = resolveSite(ctx, values.site);
    const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
    if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0)) throw usageError('--timeout takes a positive whole number of seconds.');
    const env: Record<string, string> = {};
    for (const pair of values.env ?? []) {
      const eq = pair.indexOf('=');
      if (eq < 1 || !envKey.test(pair.slice(0, eq))) throw usageError(`-e takes KEY=value, not "${pair}".`, 'Example: paddock run -e PADDOCK_SUPERUSER_PASSWORD=... -- createsuperuser --username admin');
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    if (needsTerminal(positionals)) {
      if (!ctx.streams.stdin.isTTY || !ctx.streams.stdout.isTTY) {
        throw new CliError('CLI_NO_TTY', `\`paddock run -- ${positionals.join(' ')}\` is interactive and needs a terminal, but stdin or stdout is not one.`,
          'Give it the code to run instead: paddock run -- shell -c "await Post.objects.count()"', ExitCode.usage);
      }
      return attachRun(ctx, site, { command: positionals, ...(timeout ? { timeoutSeconds: timeout } : {}), ...(Object.keys(env).length ? { env } : {}) });
    }
    const res = await ctx.api.fetch('POST', sitePath(site, '/run'), {
      body: { command: positionals, ...(timeout ? { timeoutSeconds: timeout } : {}), ...(Object.keys(env).length ? { env } : {}) },
      headers: { accept: ctx.out.json ? 'application/json' : 'text/event-stream' },
      notFoundHint: siteHint,
      timeoutMs: 0,
      signal: ctx.signal,
    });
    if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
      const a = (await res.json()) as RunAnswer;
      if (ctx.out.json) ctx.out.data(a, () => undefined);
      else {
        ctx.streams.stdout.write(a.stdout ?? '');
        ctx.streams.stderr.write(a.stderr ?? '');
      }
      return a.exitCode ?? ExitCode.failure;
    }
    let exitCode: number | undefined;
    try {
      for await (const ev of readSse(res.body, ctx.signal)) {
        const data = JSON.parse(ev.data) as RunEvent;
        if (data.line !== undefined) (data.stream === 'stderr' ? ctx.streams.stderr : ctx.streams.stdout).write(`${data.line}\n`);
        if (typeof data.dropped === 'number') ctx.out.warn(droppedNote(data.dropped));
        if (data.error) throw new CliError(data.error.code, data.error.message, undefined, ExitCode.failure);
        if (data.exitCode !== undefined) {
          exitCode = data.exitCode;
          if (data.timedOut) ctx.out.warn(`The command ran past its time limit and was stopped (exit code ${exitCode}).`);
        }
      }
    } catch (err) {
      // Ctrl-C: the connection closes and the platform kills the command.
      if (ctx.signal.aborted) return ExitCode.interrupted;
      throw err;
    }
    if (exitCode === undefined && ctx.signal.aborted) return ExitCode.interrupted;
    if (exitCode === undefined) {
      throw new CliError('CLI_RUN_INTERRUPTED', 'The connection ended before the command did; its outcome is unknown.', 'Run it again; `paddock logs` may show what it did.', ExitCode.network);
    }
    // The one-off's own exit code, so scripts can chain on it.
    return exitCode;
  },
});

/** `shell` without code to run reads a terminal (the runtime's REPL). */
function needsTerminal(command: readonly string[]): boolean {
  const [name, ...args] = command;
  return name === 'shell' && !args.some((a) => a === '-c' || a === '--command' || a.startsWith('--command=') || (a.startsWith('-c') && a.length > 2));
}

/**
 * An interactive one-off: the run request upgraded to `paddock-run`, this terminal in raw mode, keys sent as they
 * are typed and the one-off's output (framed like Docker's: type, 0, 0, 0, uint32 length) written as it comes.
 * Ends with the one-off's exit code from the last frame.
 */
async function attachRun(ctx: Context, site: string, body: Record<string, unknown>): Promise<number> {
  const path = sitePath(site, '/run');
  const url = new URL(ctx.api.url(path));
  const token = ctx.api.options.token;
  if (!token) throw new CliError('CLI_NOT_LOGGED_IN', 'You are not logged in.', 'Run `paddock login` (or set PADDOCK_TOKEN).', ExitCode.auth);
  const payload = JSON.stringify(body);
  const { socket, head } = await new Promise<{ socket: Duplex; head: Buffer }>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: {
        'user-agent': ctx.api.options.userAgent, authorization: `Bearer ${token}`, accept: 'application/json',
        'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), connection: 'Upgrade', upgrade: 'paddock-run',
      },
    });
    req.on('upgrade', (_res, s, h) => resolve({ socket: s, head: h }));
    req.on('response', (res) => {
      // Refused (not logged in, no such site, no role, busy): an ordinary JSON error answer.
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
        const answer = new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, headers });
        void ctx.api.httpError(answer, { notFoundHint: siteHint }).then(reject, reject);
      });
    });
    req.on('error', (err) => reject(ctx.api.networkError(err)));
    req.end(payload);
  });

  const stdin = ctx.streams.stdin;
  let pending = head;
  let end: RunEvent | undefined;
  const closed = new Promise<void>((resolve) => {
    const take = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 8 && pending.length >= 8 + pending.readUInt32BE(4)) {
        const size = pending.readUInt32BE(4);
        const frame = pending.subarray(8, 8 + size);
        if (pending[0] === 1) ctx.streams.stdout.write(frame);
        else if (pending[0] === 3) end = JSON.parse(frame.toString()) as RunEvent;
        pending = pending.subarray(8 + size);
      }
    };
    socket.on('data', take);
    socket.on('close', () => resolve());
    socket.on('error', () => socket.destroy());
    take(Buffer.alloc(0));
  });
  const send = (c: Buffer) => { socket.write(c); };
  const onAbort = () => socket.destroy();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  // Raw: every key (Ctrl-C too) goes to the one-off's terminal, which echoes and edits the line itself.
  stdin.setRawMode?.(true);
  stdin.on('data', send);
  stdin.resume();
  try {
    await closed;
  } finally {
    stdin.off('data', send);
    stdin.setRawMode?.(false);
    stdin.pause();
    ctx.signal.removeEventListener('abort', onAbort);
  }
  if (end?.error) throw new CliError(end.error.code, end.error.message, undefined, ExitCode.failure);
  if (end?.exitCode === undefined) {
    if (ctx.signal.aborted) return ExitCode.interrupted;
    throw new CliError('CLI_RUN_INTERRUPTED', 'The connection ended before the command did; its outcome is unknown.', 'Run it again.', ExitCode.network);
  }
  if (end.timedOut) ctx.out.warn(`The command ran past its time limit and was stopped (exit code ${end.exitCode}).`);
  return end.exitCode;
}

/** The site's DATABASE_URL for a developer on this machine (revealed: needs the developer role; audited). */
async function databaseUrl(ctx: Context, site: string): Promise<string> {
  const a = await ctx.api.json<{ database?: { url?: string } }>('GET', sitePath(site, '/database'), {
    query: { reveal: 'true' },
    notFoundHint: siteHint,
  });
  const url = a.database?.url;
  if (!url) throw new CliError('CLI_NO_DATABASE', `Site "${site}" has no database yet.`, 'Wait for provisioning to finish (`paddock info`).', ExitCode.failure);
  return url;
}

/** A postgres:// URL split into the URL without its password and the password (decoded). */
function withoutPassword(raw: string): { url: string; password?: string } {
  const u = new URL(raw);
  if (!u.password) return { url: raw };
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { url: u.toString(), password };
}

export const dbUrl = defineCommand({
  name: 'db:url',
  group: 'Run-time',
  summary: 'Print the site\'s database URL with its password (a secret! the reveal is audited)',
  usage: 'db:url [--site <name>]',
  options: { ...siteOption },
  examples: ['paddock db:url', 'psql "$(paddock db:url)"'],
  async run(ctx, { values }) {
    const url = await databaseUrl(ctx, resolveSite(ctx, values.site));
    ctx.out.data({ url }, () => ctx.out.line(url));
  },
});

export const dbPsql = defineCommand({
  name: 'db:psql',
  group: 'Run-time',
  summary: 'Open psql on the site\'s database',
  usage: 'db:psql [--site <name>] [-- psql args...]',
  options: { ...siteOption },
  positionals: { max: 20 },
  passthrough: true,
  examples: ['paddock db:psql', 'paddock db:psql -- -c "select count(*) from blog_post"'],
  async run(ctx, { values, positionals }) {
    const { url, password } = withoutPassword(await databaseUrl(ctx, resolveSite(ctx, values.site)));
    // The password goes in psql's environment, never its argv: any local user can read a
    // process's command line (ps, /proc/<pid>/cmdline), only its owner its environment.
    const env = password === undefined ? ctx.env : { ...ctx.env, PGPASSWORD: password };
    return await new Promise<number>((resolveRun, reject) => {
      const child = spawn('psql', [url, ...positionals], { stdio: 'inherit', env });
      child.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') reject(new CliError('CLI_NO_PSQL', 'psql is not installed.', 'Install the PostgreSQL client (e.g. `apt-get install postgresql-client`), or use `paddock db:url` with another client.', ExitCode.failure));
        else reject(err);
      });
      child.on('exit', (code) => resolveRun(code ?? ExitCode.failure));
    });
  },
});
