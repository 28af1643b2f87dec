// Account commands: signup, login (password or --token), logout, whoami, and API tokens for CI.
import { hostname } from 'node:os';
import { defineCommand, type Context } from '../command.js';
import { CliError, needsTerminal, usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { ask, canPrompt, readStdin } from '../prompt.js';
import type { Credential } from '../config.js';
import { ApiClient } from '../api-client.js';

import type { Account, ApiToken, AuthResult, Me as MeAnswer, NewApiToken } from '@paddock/control-plane/api-types';

/** The account with its organisations and the credential in use, as `whoami` shows them. */
type Me = Account & Partial<Pick<MeAnswer, 'organisations' | 'credential'>>;

/** A login or signup answer (`token`: an older API's, kept for it). */
type AuthAnswer = Partial<AuthResult> & { token?: string };

/** The platform's API token scopes, as `tokens:create --scope` takes them. */
const tokenScopes = ['read', 'secrets', 'write', 'admin'] as const;

const scopeHelp =
  '  read     see sites, deploys, releases, logs, metrics, domains and organisations; never a secret\n' +
  '  secrets  read, plus secret values: env vars (`paddock env`) and the database password (`paddock db:url`)\n' +
  '  write    change anything: push, env:set, scale, domains, run; includes secrets and read (a token\n' +
  '           that can run code in a site could read its secrets there anyway)\n' +
  '  admin    the operators\' admin API, nothing else (operators only)';

const credentialOptions = {
  email: { type: 'string', short: 'e', placeholder: 'email', description: 'your email (asked for on a terminal when missing)' },
  password: { type: 'string', short: 'p', placeholder: 'password', description: 'your password (asked for on a terminal; prefer --password-stdin in scripts)' },
  'password-stdin': { type: 'boolean', description: 'read the password from standard input' },
} as const;

async function credentials(ctx: Context, values: { email?: string; password?: string; 'password-stdin'?: boolean }, confirm: boolean): Promise<{ email: string; password: string }> {
  const tty = canPrompt(ctx.streams);
  let email = values.email;
  if (!email) {
    if (!tty) throw needsTerminal('Your email', '--email <email>');
    email = (await ask(ctx.streams, 'Email: ')).trim();
  }
  let password = values.password;
  if (values['password-stdin']) password = await readStdin(ctx.streams);
  if (!password) {
    if (!tty) throw needsTerminal('Your password', '--password-stdin (or --password <password>)');
    password = await ask(ctx.streams, 'Password: ', { hidden: true });
    if (confirm && (await ask(ctx.streams, 'Password again: ', { hidden: true })) !== password) {
      throw usageError('The two passwords differ.', 'Run the command again.');
    }
  }
  if (!email || !password) throw usageError('An email and a password are needed.');
  return { email, password };
}

function sessionToken(answer: AuthAnswer): string {
  const token = answer.token ?? answer.session?.token;
  if (!token) throw new CliError('CLI_BAD_RESPONSE', 'The API did not return a session token.', 'Check that PADDOCK_API points at a Paddock API.', ExitCode.failure);
  return token;
}

/**
 * Swaps a short-lived session for a personal API token named after this machine, so the CLI
 * keeps a credential the user can list and revoke; the session itself is ended.
 */
async function storeLogin(ctx: Context, session: string, email: string, operator: boolean): Promise<Credential> {
  const asSession = new ApiClient({ base: ctx.apiBase, token: session, tokenSource: 'config', userAgent: `paddock-cli/${ctx.version}` });
  let credential: Credential;
  try {
    const created = await asSession.json<NewApiToken>('POST', '/v1/tokens', {
      body: { name: `paddock CLI on ${hostname()}`, scopes: operator ? ['read', 'write', 'admin'] : ['read', 'write'] },
    });
    credential = { token: created.token, tokenId: created.id, email };
    await asSession.json('POST', '/v1/auth/logout', { body: {} }).catch(() => undefined);
  } catch (err) {
    // An API without personal tokens: keep the session token itself.
    if (err instanceof CliError && err.status === 404) credential = { token: session, email };
    else throw err;
  }
  const previous = ctx.config.read().credentials?.[ctx.apiBase];
  ctx.config.update((c) => {
    c.api = ctx.apiBase;
    c.credentials = { ...c.credentials, [ctx.apiBase]: credential };
  });
  // Logging in again replaces this machine's token: revoke the old one rather than leave it live.
  if (previous?.tokenId && previous.tokenId !== credential.tokenId) {
    const old = new ApiClient({ base: ctx.apiBase, token: previous.token, tokenSource: 'config', userAgent: `paddock-cli/${ctx.version}` });
    await old.json('DELETE', `/v1/tokens/${encodeURIComponent(previous.tokenId)}`).catch(() => undefined);
  }
  return credential;
}

async function fetchMe(api: ApiClient): Promise<Me> {
  const me = await api.json<MeAnswer>('GET', '/v1/auth/me');
  return { ...me.account, organisations: me.organisations, credential: me.credential };
}

export const signup = defineCommand({
  name: 'signup',
  group: 'Account',
  summary: 'Create an account and log in',
  usage: 'signup [--email <email>] [--password-stdin]',
  description: 'Creates an account on the platform (with an organisation of its own) and logs this machine in.',
  options: { ...credentialOptions, name: { type: 'string', placeholder: 'name', description: 'your name' } },
  examples: ['paddock signup', 'paddock signup --email ada@example.com', 'echo "$PASSWORD" | paddock signup --email ada@example.com --password-stdin'],
  async run(ctx, { values }) {
    const { email, password } = await credentials(ctx, values, true);
    const answer = await ctx.anonymousApi.json<AuthAnswer>('POST', '/v1/auth/signup', { body: { email, password, ...(values.name ? { name: values.name } : {}) } });
    await storeLogin(ctx, sessionToken(answer), email, answer.account?.operator ?? false);
    ctx.out.data({ email, api: ctx.apiBase }, () => {
      ctx.out.success(`Signed up and logged in as ${ctx.out.bold(email)} on ${ctx.apiBase}.`);
      ctx.out.line(`Next: ${ctx.out.cyan('paddock init mysite --starter blog')}, then ${ctx.out.cyan('paddock sites:create <name>')} and ${ctx.out.cyan('paddock push')}.`);
    });
  },
});

export const login = defineCommand({
  name: 'login',
  group: 'Account',
  summary: 'Log in with your email and password, or an API token',
  usage: 'login [--email <email>] [--password-stdin] | login --token <token>',
  description:
    'Keeps a personal API token for this machine in your config directory (mode 0600), with the\n' +
    'read and write scopes (write includes secrets; operators also get admin).\n' +
    'In CI, set PADDOCK_TOKEN instead of logging in: `paddock tokens:create` makes a token with only\n' +
    'the scopes it needs (read, secrets, write; see `paddock tokens:create --help`).',
  options: { ...credentialOptions, token: { type: 'string', placeholder: 'token', description: 'an API token (from `paddock tokens:create` or the dashboard)' } },
  examples: ['paddock login', 'paddock login --email ada@example.com', 'paddock login --token pdt_...', 'paddock login --api https://paddock.example.com'],
  async run(ctx, { values }) {
    if (values.token) {
      const api = new ApiClient({ base: ctx.apiBase, token: values.token, tokenSource: 'config', userAgent: `paddock-cli/${ctx.version}` });
      const me = await fetchMe(api);
      ctx.config.update((c) => {
        c.api = ctx.apiBase;
        c.credentials = { ...c.credentials, [ctx.apiBase]: { token: values.token!, email: me.email } };
      });
      ctx.out.data({ email: me.email, api: ctx.apiBase }, () => ctx.out.success(`Logged in as ${ctx.out.bold(me.email)} on ${ctx.apiBase} with a token.`));
      return;
    }
    const { email, password } = await credentials(ctx, values, false);
    const answer = await ctx.anonymousApi.json<AuthAnswer>('POST', '/v1/auth/login', { body: { email, password } }).catch((err: unknown) => {
      if (err instanceof CliError && err.status === 401) {
        throw new CliError(err.code, 'Wrong email or password.', 'Try again, or reset your password from the dashboard.', ExitCode.auth, 401);
      }
      throw err;
    });
    await storeLogin(ctx, sessionToken(answer), email, answer.account?.operator ?? false);
    ctx.out.data({ email, api: ctx.apiBase }, () => ctx.out.success(`Logged in as ${ctx.out.bold(email)} on ${ctx.apiBase}.`));
  },
});

export const logout = defineCommand({
  name: 'logout',
  group: 'Account',
  summary: 'Revoke this machine\'s token and forget it',
  usage: 'logout',
  options: {},
  examples: ['paddock logout'],
  async run(ctx) {
    const stored = ctx.config.read().credentials?.[ctx.apiBase];
    if (!stored) {
      ctx.out.line(`Not logged in to ${ctx.apiBase}.`);
      return;
    }
    if (stored.tokenId) {
      const api = new ApiClient({ base: ctx.apiBase, token: stored.token, tokenSource: 'config', userAgent: `paddock-cli/${ctx.version}` });
      // Already revoked, expired or unreachable: forgetting it locally is still what was asked.
      await api.json('DELETE', `/v1/tokens/${encodeURIComponent(stored.tokenId)}`).catch((err: unknown) => {
        ctx.out.warn(`Could not revoke the token on the server (${err instanceof Error ? err.message : String(err)}); forgetting it here anyway.`);
      });
    }
    ctx.config.update((c) => {
      if (c.credentials) delete c.credentials[ctx.apiBase];
    });
    ctx.out.success(`Logged out of ${ctx.apiBase}.`);
    if (ctx.env.PADDOCK_TOKEN) ctx.out.warn('PADDOCK_TOKEN is still set in your environment and will be used.');
  },
});

export const whoami = defineCommand({
  name: 'whoami',
  group: 'Account',
  summary: 'Show who you are logged in as',
  usage: 'whoami',
  options: {},
  examples: ['paddock whoami', 'paddock whoami --json'],
  async run(ctx) {
    const me = await fetchMe(ctx.api);
    ctx.out.data({ ...me, api: ctx.apiBase }, () => {
      ctx.out.line(`${ctx.out.bold(me.email)} on ${ctx.apiBase}${me.operator ? ' (operator)' : ''}`);
      for (const o of me.organisations ?? []) ctx.out.line(`  ${o.name}${o.role ? ctx.out.dim(` (${o.role})`) : ''}`);
    });
  },
});

export const tokens = defineCommand({
  name: 'tokens',
  group: 'Account',
  summary: 'List your API tokens',
  usage: 'tokens',
  options: {},
  examples: ['paddock tokens', 'paddock tokens --json'],
  async run(ctx) {
    const answer = await ctx.api.json<ApiToken[] | { tokens: ApiToken[] }>('GET', '/v1/tokens');
    const list = Array.isArray(answer) ? answer : answer.tokens;
    ctx.out.data(list, () => {
      if (!list.length) return ctx.out.line('No API tokens.');
      ctx.out.table(list, [
        ['ID', (t) => t.id],
        ['NAME', (t) => t.name],
        ['SCOPES', (t) => (t.scopes ?? []).join(',')],
        ['LAST USED', (t) => t.lastUsedAt ?? 'never'],
        ['STATUS', (t) => (t.revokedAt ? 'revoked' : t.expiresAt && Date.parse(t.expiresAt) < Date.now() ? 'expired' : 'active')],
      ]);
    });
  },
});

export const tokensCreate = defineCommand({
  name: 'tokens:create',
  group: 'Account',
  summary: 'Create an API token (for CI: PADDOCK_TOKEN)',
  usage: 'tokens:create <name> [--scope <scope> ...] [--expires-in-days <n>] [--password-stdin]',
  description:
    'The platform makes API tokens only from a password login, never from another token, so this asks\n' +
    'for your password (or reads it with --password-stdin); the token is shown once.\n\n' +
    'Scopes (what the token may do; your role in each organisation still applies):\n' +
    scopeHelp,
  options: {
    ...credentialOptions,
    scope: { type: 'string', multiple: true, placeholder: 'scope', description: 'read, secrets, write or admin (repeatable; default: read and write)' },
    'expires-in-days': { type: 'string', placeholder: 'n', description: 'the token stops working after n days' },
  },
  positionals: { min: 1, max: 1, names: 'a token name' },
  examples: [
    'paddock tokens:create ci',
    'paddock tokens:create deploy-bot --scope write --expires-in-days 90',
    'paddock tokens:create dashboards --scope read',
    'paddock tokens:create backups --scope secrets',
    'echo "$PASSWORD" | paddock tokens:create ci --password-stdin',
  ],
  async run(ctx, { values, positionals }) {
    const days = values['expires-in-days'] === undefined ? undefined : Number(values['expires-in-days']);
    if (days !== undefined && !(Number.isInteger(days) && days > 0)) throw usageError('--expires-in-days takes a whole number of days.');
    for (const scope of values.scope ?? []) {
      if (!(tokenScopes as readonly string[]).includes(scope)) throw usageError(`"${scope}" is not a token scope: use ${tokenScopes.join(', ')}.`, 'Run `paddock tokens:create --help` for what each allows.');
    }
    const email = values.email ?? ctx.config.read().credentials?.[ctx.apiBase]?.email;
    const { password } = await credentials(ctx, { ...values, email }, false);
    const login = await ctx.anonymousApi.json<AuthAnswer>('POST', '/v1/auth/login', { body: { email, password } }).catch((err: unknown) => {
      if (err instanceof CliError && err.status === 401) throw new CliError(err.code, 'Wrong email or password.', 'Try again (the token needs your password, not only a login).', ExitCode.auth, 401);
      throw err;
    });
    const session = new ApiClient({ base: ctx.apiBase, token: sessionToken(login), tokenSource: 'config', userAgent: `paddock-cli/${ctx.version}` });
    try {
      const created = await session.json<NewApiToken>('POST', '/v1/tokens', {
        body: { name: positionals[0], scopes: values.scope ?? ['read', 'write'], ...(days ? { expiresInDays: days } : {}) },
      });
      ctx.out.data(created, () => {
        ctx.out.success(`Created token ${ctx.out.bold(created.name ?? positionals[0]!)} (${created.id}). It is shown once:`);
        ctx.out.line(created.token);
      });
    } finally {
      await session.json('POST', '/v1/auth/logout', { body: {} }).catch(() => undefined);
    }
  },
});

export const tokensRevoke = defineCommand({
  name: 'tokens:revoke',
  group: 'Account',
  summary: 'Revoke an API token',
  usage: 'tokens:revoke <id>',
  options: {},
  positionals: { min: 1, max: 1, names: 'a token id (see `paddock tokens`)' },
  examples: ['paddock tokens:revoke 0b4e...'],
  async run(ctx, { positionals }) {
    await ctx.api.json('DELETE', `/v1/tokens/${encodeURIComponent(positionals[0]!)}`, { notFoundHint: 'Run `paddock tokens` to list your tokens.' });
    ctx.out.success(`Revoked token ${positionals[0]}.`);
  },
});
