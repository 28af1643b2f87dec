// Who may call each route, declared once on the route (`config.auth`) and checked here, once, for
// every route: the credential and its token scope when the request arrives (before its body is
// read), then the site or organisation it names and the caller's role there (once its input is
// valid). Handlers read the outcome from the request (`request.auth`, `request.siteAccess`,
// `request.orgAccess`). The same declaration writes the route's access into the OpenAPI document.
// A route that declares nothing stops the server at startup: public routes say `auth: false`.
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { holdsScope, scopesGranting, type TokenScope } from '../tokens/credentials.js';
import { errors } from '../errors.js';
import { orgAccess, personalOrgName, siteAccess, type OrgAccess, type SiteAccess } from '../orgs/access.js';
import { atLeast, needs, type Action } from '../orgs/roles.js';
import { identify, type Auth } from './authenticate.js';

export interface RouteAuth {
  /** The token scope the route needs; sessions hold every scope (see accounts/tokens.ts). */
  scope: TokenScope;
  /** Operator accounts only (with `scope: 'admin'`: the admin API). */
  operator?: true;
  /** A logged-in session, never an API token. */
  session?: true;
  /** For `/v1/sites/:site/...`: the site, found among the caller's organisations' sites; the caller's role there must allow this. */
  site?: Action;
  /**
   * The organisation of `/v1/orgs/:org/...` (or, on a route without `:org`, the body's `org`, else the
   * caller's personal organisation); the caller's role there must allow this.
   */
  org?: Action;
  /** Asking to see secrets (`?<query>=true`) needs more: this scope, and this action on the site. */
  reveal?: { query: string; scope: TokenScope; site: Action };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; `false`: anyone (say so explicitly). Required on every route. */
    auth?: RouteAuth | false;
  }
  interface FastifyRequest {
    /** The caller, on a route that declares `auth`. */
    readonly auth: Auth;
    /** The site and the caller's role, on a route that declares `auth.site`. */
    readonly siteAccess: SiteAccess;
    /** The organisation and the caller's role, on a route that declares `auth.org`. */
    readonly orgAccess: OrgAccess;
  }
  interface FastifyInstance {
    /** Every route's declaration, by `METHOD url` (tests walk it). */
    readonly routeAuth: ReadonlyMap<string, RouteAuth | false>;
  }
}

interface Resolved {
  auth: Auth;
  site?: SiteAccess;
  org?: OrgAccess;
}

const resolved = new WeakMap<FastifyRequest, Resolved>();

/** A handler read what its route does not declare: a mistake in the code, not in the request. */
function undeclared(request: FastifyRequest, what: string): never {
  request.log.error(`${request.method} ${request.routeOptions.url ?? request.url} reads ${what} but its config.auth does not declare it`);
  throw errors.internal();
}

function stringField(source: unknown, key: string): string | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  const value = (source as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

/** Whether the (validated) query sets this flag: `?reveal=true`. */
function asksFor(query: unknown, flag: string): boolean {
  if (typeof query !== 'object' || query === null) return false;
  const value = (query as Record<string, unknown>)[flag];
  return value === true || value === 'true';
}

/** Role names as people read them: "developer or above". */
function roleText(action: Action): string {
  return needs[action] === 'owner' ? 'owner' : `${needs[action]} or above`;
}

function scopeText(scope: TokenScope): string {
  const [own, ...more] = scopesGranting(scope);
  return `the \`${own}\` scope${more.length ? ` (or ${more.map((s) => `\`${s}\``).join(', ')})` : ''}`;
}

/** The route's access in words, for its OpenAPI description. */
export function describeAccess(auth: RouteAuth | false): string {
  if (auth === false) return '**Access:** public, no credentials.';
  let who: string;
  if (auth.operator) who = `platform operators only: a session, or an API token with ${scopeText(auth.scope)}`;
  else if (auth.session) who = 'a logged-in session only, not an API token';
  else who = `a session, or an API token with ${scopeText(auth.scope)}`;
  const where = auth.site ? `; role ${roleText(auth.site)} in the site's organisation`
    : auth.org ? `; role ${roleText(auth.org)} in the organisation` : '';
  const reveal = auth.reveal
    ? ` With \`?${auth.reveal.query}=true\` (secrets): ${scopeText(auth.reveal.scope)} and role ${roleText(auth.reveal.site)}.`
    : '';
  return `**Access:** ${who}${where}.${reveal}`;
}

/** Refuses, at startup, a route whose declaration is missing or does not fit its path. */
function checkDeclaration(route: RouteOptions): RouteAuth | false {
  const name = `${String(route.method)} ${route.url}`;
  const auth = route.config?.auth;
  const fail = (why: string): never => {
    throw new Error(`${name}: ${why}. Declare who may call it in the route's config.auth (api/route-auth.ts), e.g. { scope: 'read', site: 'read' }, or auth: false for a public route.`);
  };
  if (auth === undefined) fail('the route declares no access');
  if (auth === false) return auth;
  if (!auth) return fail('config.auth is not a declaration');
  const path = route.url;
  if (/\/:site(\/|$)/.test(path) !== Boolean(auth.site)) fail(auth.site ? 'auth.site is declared but the path has no :site' : 'the path names a :site but auth.site (the action on it) is not declared');
  if (/\/:org(\/|$)/.test(path) && !auth.org) fail('the path names an :org but auth.org (the action on it) is not declared');
  if ((auth.scope === 'admin') !== Boolean(auth.operator)) fail('the admin scope is the operators\' admin API: declare scope "admin" with operator: true, and only there');
  if (auth.reveal && !auth.site) fail('auth.reveal needs auth.site');
  return auth;
}

async function resolveOrg(request: FastifyRequest, auth: Auth, action: Action): Promise<OrgAccess> {
  const { db } = request.server.platform;
  let name = stringField(request.params, 'org') ?? stringField(request.body, 'org');
  if (!name) {
    name = await personalOrgName(db, auth.accountId);
    if (!name) throw errors.validation('org is required: you have no personal organisation, so name the organisation the site belongs to');
  }
  return orgAccess(db, auth.accountId, name, needs[action]);
}

export function installRouteAuth(app: FastifyInstance): void {
  const registry = new Map<string, RouteAuth | false>();
  app.decorate('routeAuth', { getter: () => registry });
  app.decorateRequest('auth', { getter(this: FastifyRequest) { return resolved.get(this)?.auth ?? undeclared(this, 'request.auth'); } });
  app.decorateRequest('siteAccess', { getter(this: FastifyRequest) { return resolved.get(this)?.site ?? undeclared(this, 'request.siteAccess'); } });
  app.decorateRequest('orgAccess', { getter(this: FastifyRequest) { return resolved.get(this)?.org ?? undeclared(this, 'request.orgAccess'); } });

  app.addHook('onRoute', (route) => {
    const auth = checkDeclaration(route);
    for (const method of [route.method].flat()) registry.set(`${method} ${route.url}`, auth);
    const access = describeAccess(auth);
    const schema = route.schema ?? {};
    // (HEAD routes copy their GET's options: describe once.)
    if (typeof schema.description === 'string' && schema.description.includes(access)) return;
    route.schema = {
      ...schema,
      description: [schema.description, access].filter(Boolean).join('\n\n'),
      ...(auth ? { security: [{ bearer: [auth.scope] }, { session: [] }] } : {}),
    };
  });

  // The credential and its scope, from the headers alone: a caller who may not use the route is
  // refused before its body is read.
  app.addHook('onRequest', async (request) => {
    const need = request.routeOptions.config.auth;
    if (!need) return;
    const auth = await identify(request);
    if (!auth) throw errors.unauthenticated();
    if (need.operator && !auth.operator) throw errors.operatorOnly();
    if (!holdsScope(auth.scopes, need.scope)) throw errors.tokenScope(need.scope, scopesGranting(need.scope));
    if (need.session && auth.kind !== 'session') throw errors.sessionRequired();
    resolved.set(request, { auth });
  });

  // What the request names (the site, the organisation), once its input is valid. A caller outside
  // the organisation gets the same 404 as for one that does not exist (orgs/access.ts).
  app.addHook('preHandler', async (request) => {
    const need = request.routeOptions.config.auth;
    if (!need || (!need.site && !need.org)) return;
    const slot = resolved.get(request) ?? undeclared(request, 'the caller (no onRequest resolution)');
    const { db } = request.server.platform;
    if (need.site) {
      const site = await siteAccess(db, slot.auth.accountId, stringField(request.params, 'site') ?? '', needs[need.site]);
      const reveal = need.reveal;
      if (reveal && asksFor(request.query, reveal.query)) {
        if (!holdsScope(slot.auth.scopes, reveal.scope)) throw errors.tokenScope(reveal.scope, scopesGranting(reveal.scope));
        if (!atLeast(site.role, needs[reveal.site])) throw errors.forbiddenRole(needs[reveal.site]);
      }
      slot.site = site;
    }
    if (need.org) slot.org = await resolveOrg(request, slot.auth, need.org);
  });
}
