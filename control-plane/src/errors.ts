// Every error the control plane can answer with, declared once: a stable code, an HTTP status and
// a message that says what to do next. Handlers throw these; the API turns them into
// `{ "error": { "code", "message" } }`.

export class PaddockError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, statusCode: number, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'PaddockError';
    this.code = code;
    this.statusCode = statusCode;
    this.details = details;
  }
}

/** A clause for the middle of a message: without the full stop it may end with (no "..": "failed: x.."). */
function clause(text: string): string {
  return text.replace(/[\s.]+$/, '');
}

type Factory<A extends unknown[]> = ((...args: A) => PaddockError) & { code: string; statusCode: number; /** Arguments the message takes (its required ones). */ arity: number };

function declare<A extends unknown[]>(code: string, statusCode: number, message: (...args: A) => string): Factory<A> {
  const make = (...args: A) => new PaddockError(code, statusCode, message(...args));
  return Object.assign(make, { code, statusCode, arity: message.length });
}

export const errors = {
  // generic HTTP
  validation: declare('PDK_VALIDATION', 400, (detail: string) => `The request is invalid: ${clause(detail)}.`),
  notFound: declare('PDK_NOT_FOUND', 404, (method: string, url: string) => `No route ${method} ${url}. The routes are listed at /openapi.json.`),
  badRequest: declare('PDK_BAD_REQUEST', 400, (detail: string) => `The request could not be read: ${clause(detail)}. Send JSON that matches /openapi.json.`),
  payloadTooLarge: declare('PDK_PAYLOAD_TOO_LARGE', 413, () => 'The request body is too large.'),
  unsupportedMediaType: declare('PDK_UNSUPPORTED_MEDIA_TYPE', 415, (type: string) => `Content type "${type}" is not accepted; send application/json.`),
  rateLimited: declare('PDK_RATE_LIMITED', 429, (after: string) => `Too many requests; try again in ${clause(after)}.`),
  internal: declare('PDK_INTERNAL', 500, () => 'Something went wrong on our side; it has been logged. Try again, and report it if it persists.'),
  unavailable: declare('PDK_UNAVAILABLE', 503, (what: string) => `${what} is unavailable; try again shortly.`),
  platformUnavailable: declare('PDK_PLATFORM_UNAVAILABLE', 503, () => 'Paddock cannot reach one of its own services right now (its database, Redis or container engine is restarting or down), so this request was not carried out. Sites keep serving meanwhile; try again in a few seconds.'),

  // authentication
  unauthenticated: declare('PDK_UNAUTHENTICATED', 401, () => 'Log in first: send the session cookie or `Authorization: Bearer <token>`.'),
  badCredentials: declare('PDK_BAD_CREDENTIALS', 401, () => 'Wrong email or password. Forgot the password? Reset it from the dashboard\'s log-in page ("Forgot your password?").'),
  emailTaken: declare('PDK_EMAIL_TAKEN', 409, () => 'An account with this email exists already; log in, or reset its password.'),
  resetTokenInvalid: declare('PDK_RESET_TOKEN_INVALID', 400, () => 'This password reset link is invalid, used or expired; ask for a new one.'),
  tokenScope: declare('PDK_TOKEN_SCOPE', 403, (scope: string, granting: readonly string[] = [scope]) =>
    `This API token lacks the "${scope}" scope${granting.length > 1 ? ` (tokens with ${granting.map((g) => `"${g}"`).join(' or ')} have it)` : ''}; use a token that has it, or create one with it.`),
  tokenNotFound: declare('PDK_TOKEN_NOT_FOUND', 404, () => 'No such API token.'),
  sessionRequired: declare('PDK_SESSION_REQUIRED', 403, () => 'API tokens are created from a logged-in session, not with another API token: log in (`paddock login`, or the dashboard) and create it there.'),
  operatorOnly: declare('PDK_OPERATOR_ONLY', 403, () => 'Only platform operators may use the admin API.'),
  accountSuspended: declare('PDK_ACCOUNT_SUSPENDED', 403, () => 'This account is suspended; contact the operator.'),

  // organisations
  orgNotFound: declare('PDK_ORG_NOT_FOUND', 404, (org: string) => `No organisation "${org}" that you belong to.`),
  orgNameTaken: declare('PDK_ORG_NAME_TAKEN', 409, (org: string) => `The organisation name "${org}" is taken; choose another.`),
  forbiddenRole: declare('PDK_FORBIDDEN_ROLE', 403, (needed: string) => `Your role in this organisation does not allow this; it needs ${needed} or above.`),
  memberNotFound: declare('PDK_MEMBER_NOT_FOUND', 404, () => 'No such member in this organisation.'),
  lastOwner: declare('PDK_LAST_OWNER', 409, () => 'An organisation needs at least one owner; make someone else owner first.'),
  alreadyMember: declare('PDK_ALREADY_MEMBER', 409, () => 'This account is a member already.'),
  invitationInvalid: declare('PDK_INVITATION_INVALID', 400, () => 'This invitation is invalid, used or expired; ask for a new one.'),
  invitationNotFound: declare('PDK_INVITATION_NOT_FOUND', 404, () => 'No such pending invitation.'),

  // sites
  siteNotFound: declare('PDK_SITE_NOT_FOUND', 404, (site: string) => `No site "${site}" in your organisations. List yours with \`paddock sites\` or on the dashboard's Sites page.`),
  siteNameTaken: declare('PDK_SITE_NAME_TAKEN', 409, (site: string) => `The site name "${site}" is taken on this platform; choose another.`),
  siteState: declare('PDK_SITE_STATE', 409, (site: string, from: string, action: string, next?: string) => `Site "${site}" is ${from}, so it cannot ${action}${next ? `; ${clause(next)}` : ' now'}.`),
  siteSuspended: declare('PDK_SITE_SUSPENDED', 409, (site: string, change: string) =>
    `Site "${site}" is suspended: its visitors get a 503 page, and it takes no ${change} until it is resumed; nothing was changed. Resume it on its page in the dashboard (only an operator can resume a site an operator suspended), then try again.`),
  quotaExceeded: declare('PDK_QUOTA_EXCEEDED', 403, (what: string, limit: number, plan: string) => `Your plan "${plan}" allows ${limit} ${what}; upgrade the plan or free some.`),
  planNotFound: declare('PDK_PLAN_NOT_FOUND', 400, (plan: string) => `No plan "${plan}". Choose one the dashboard's Organisations admin page offers.`),
  noServer: declare('PDK_NO_SERVER', 503, (pool: string) => `No ${pool} server is configured; set its pool variable.`),

  // deploys, releases and the edge (issue 6)
  tarballRejected: declare('PDK_TARBALL_REJECTED', 400, (why: string) => `The uploaded tarball was rejected: ${clause(why)}. Pack the site directory again (\`paddock push\` does it) without it.`),
  tarballTooLarge: declare('PDK_TARBALL_TOO_LARGE', 413, (limitMb: number) => `The upload is larger than ${limitMb} MB; add build output and node_modules to .paddockignore.`),
  checksumMismatch: declare('PDK_CHECKSUM_MISMATCH', 400, (expected: string, actual: string) => `The upload's sha256 is ${actual}, not the ${expected} announced; upload it again.`),
  siteInvalid: declare('PDK_SITE_INVALID', 422, (why: string) => `The site cannot be built: ${clause(why)}. Run \`paddock check\` locally to see it.`),
  tsconfigOption: declare('PDK_TSCONFIG_OPTION', 422, (option: string, why: string) => `The site's tsconfig.json sets "${option}", which the build does not accept: ${clause(why)}. The build compiles and type-checks with the platform's options; a site may adjust only options that name no file (see "Building a site" in the README).`),
  dependencySource: declare('PDK_DEPENDENCY_SOURCE', 422, (name: string, spec: string, where: string, why: string) => `The dependency "${name}" (${JSON.stringify(spec)} in ${where}) does not come from the npm registry: ${clause(why)}. The build installs packages from the npm registry only; depend on a published version (\`npm install ${name.replace(/ > .*/, '')}@<version>\`), or copy the code into the site.`),
  typeErrors: declare('PDK_TYPE_ERRORS', 422, (count: number, first: string) => `The site has ${count} type error${count === 1 ? '' : 's'}; the first: ${clause(first)}. Fix ${count === 1 ? 'it' : 'them'} (\`paddock check\` shows them locally), or set "paddock": { "typecheck": "warn" } in package.json to deploy with type errors reported as warnings.`),
  buildFailed: declare('PDK_BUILD_FAILED', 422, (why: string) => `The build failed: ${clause(why)}. Its log is in \`paddock logs\` and on the site's Deploys page in the dashboard.`),
  deployInterrupted: declare('PDK_DEPLOY_INTERRUPTED', 500, () => 'The worker running this deploy stopped before it finished (it crashed or was killed); its new replicas were removed and the previous release keeps serving. Push again (`paddock push`).'),
  releaseFailed: declare('PDK_RELEASE_FAILED', 422, (why: string) => `The release failed and the previous one keeps serving: ${clause(why)}.`),
  deployNotFound: declare('PDK_DEPLOY_NOT_FOUND', 404, (id: string) => `No deploy "${id}" for this site. The site's Deploys page in the dashboard lists them.`),
  releaseNotFound: declare('PDK_RELEASE_NOT_FOUND', 404, (version: string) => `No release ${version} for this site. List them with \`paddock releases\`.`),
  domainTaken: declare('PDK_DOMAIN_TAKEN', 409, (host: string) => `The domain "${host}" is attached to another site already.`),
  certificateNotEligible: declare('PDK_CERTIFICATE_NOT_ELIGIBLE', 409, (host: string, reason: string) => `No certificate is ordered for "${host}": ${clause(reason)}.`),
  domainNotFound: declare('PDK_DOMAIN_NOT_FOUND', 404, (host: string) => `No domain "${host}" on this site. List them with \`paddock domains\`.`),
  runInteractive: declare('PDK_RUN_INTERACTIVE', 400, (command: string) => `\`${command}\` needs a terminal, and one-off runs get no stdin over the API. ${command === 'shell' ? 'Give it code to run (`shell -c "await Post.objects.count()"`), run' : 'Run'} it locally (\`paddock dev\`), or use \`paddock db:psql\` for the database.`),
  runBusy: declare('PDK_RUN_BUSY', 409, (site: string, running: number) => `Site "${site}" already runs ${running} one-off commands, the most it may; wait for one to end (Ctrl-C in its \`paddock run\` stops it).`),
  noRelease: declare('PDK_NO_RELEASE', 409, (site: string) => `Site "${site}" has no release yet; push one first (\`paddock push\`).`),
  rollbackInProgress: declare('PDK_ROLLBACK_IN_PROGRESS', 409, (site: string, version: number) => `Site "${site}" is rolling back to v${version}, which replaces its env vars when it goes live; wait for it to finish (\`paddock releases\` shows it), then make this change again.`),
  envTooLarge: declare('PDK_ENV_TOO_LARGE', 413, (kib: number, limitKib: number) => `The site's env vars would total ${kib} KiB (names and values), over the ${limitKib} KiB limit; remove some (set them to null), or keep large data in the database or a file of the site.`),
  envSuperseded: declare('PDK_ENV_SUPERSEDED', 409, () => 'This env change was not released: the env vars changed again before it ran (a later env change or a rollback), and the newer release carries them. See what is set with `paddock env`.'),

  // backups and restores (issue 16)
  backupNotFound: declare('PDK_BACKUP_NOT_FOUND', 404, (id: string) => `No backup "${id}" of this site. List its backups with \`paddock db:backups\`.`),
  backupNotReady: declare('PDK_BACKUP_NOT_READY', 409, (id: string, status: string) => `Backup "${id}" is ${status}, not complete${status === 'failed' ? ' (see its error with `paddock db:backups`); take another with `paddock db:backup`' : '; wait for it to finish (`paddock db:backups` lists it once it is verified)'}.`),
  restoreNotFound: declare('PDK_RESTORE_NOT_FOUND', 404, (id: string) => `No restore "${id}" of this site.`),
  pointInTimeUnavailable: declare('PDK_PITR_UNAVAILABLE', 409, (site: string) => `The database server of site "${site}" is not archived continuously on this platform, so it cannot go back to a moment; restore it from one of its backups instead (\`paddock db:backups\`, then \`paddock db:restore --backup ID\`).`),
  restoreTimeOutsideWindow: declare('PDK_RESTORE_TIME_OUTSIDE_WINDOW', 422, (time: string, from: string, to: string) => `The site's database can go back to any moment from ${from} to ${to}, and ${time} is not one of them; pick a moment inside that window.`),
  restoreInProgress: declare('PDK_RESTORE_IN_PROGRESS', 409, (site: string) => `Site "${site}" is being restored already; wait for that restore to finish, then try again. Nothing was changed.`),
  deployInProgress: declare('PDK_DEPLOY_IN_PROGRESS', 409, (site: string, kind: string) => `Site "${site}" has a ${kind} under way, and a restore re-releases the site; wait for it to finish (\`paddock releases\`), then restore. Nothing was changed.`),
  // billing (issue 17): the billing/ module
  billingOff: declare('PDK_BILLING_OFF', 404, () => 'Billing is off on this platform: plans are set by its operator. Ask them to change your plan.'),
  webhookSignature: declare('PDK_WEBHOOK_SIGNATURE', 400, (why: string) => `The webhook was not accepted: its Stripe-Signature does not check out (${clause(why)}). Send events from Stripe to this endpoint with its signing secret as PADDOCK_STRIPE_WEBHOOK_SECRET.`),
  planNotForSale: declare('PDK_PLAN_NOT_FOR_SALE', 400, (plan: string, forSale: string) => `Plan "${plan}" cannot be bought; choose one of ${forSale} (\`paddock billing\` lists them).`),
  billingNotSynced: declare('PDK_BILLING_NOT_SYNCED', 503, (plan: string) => `Plan "${plan}" has no prices in Stripe yet; the operator runs \`paddock-control-plane billing:sync\` once, then try again.`),
  alreadySubscribed: declare('PDK_ALREADY_SUBSCRIBED', 409, (org: string, plan: string) => `Organisation "${org}" is subscribed to "${plan}" already; change or cancel the subscription in the customer portal (\`paddock billing:portal\`).`),
  noBillingCustomer: declare('PDK_NO_BILLING_CUSTOMER', 409, (org: string) => `Organisation "${org}" has never subscribed, so it has no billing portal yet; subscribe first (\`paddock billing:upgrade pro\`).`),
  stripeUnavailable: declare('PDK_STRIPE_UNAVAILABLE', 502, (why: string) => `Stripe did not answer as expected (${clause(why)}); nothing was changed. Try again in a minute.`),
} as const;

export type ErrorFactory = (typeof errors)[keyof typeof errors];
