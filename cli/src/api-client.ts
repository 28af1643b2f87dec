// The one HTTP client of the CLI: global fetch against the public API (/v1/...), with the API's
// `{ error: { code, message } }` answers and network failures turned into errors a user can act on.
import { CliError, notLoggedIn } from './errors.js';
import { ExitCode } from './exit-codes.js';

export interface ApiClientOptions {
  base: string;
  token?: string;
  /** Where the token came from, so a rejected one gets the right advice. */
  tokenSource?: 'env' | 'config';
  userAgent: string;
  /** A client for signup and login: sends no credentials, and a 401 means wrong credentials, not "log in". */
  anonymous?: boolean;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Sends the request without credentials (signup, login). */
  anonymous?: boolean;
  /** Advice for a 404, e.g. which list command shows what exists. */
  notFoundHint?: string;
  /** Milliseconds before giving up; streaming requests pass 0 (no limit). */
  timeoutMs?: number;
  /** Retries on network errors (only for requests safe to repeat). */
  retries?: number;
}

export interface ApiErrorBody {
  error?: { code?: string; message?: string };
}

const networkReasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  UND_ERR_SOCKET: 'connection closed',
  EPIPE: 'connection closed',
  UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
};

export class ApiClient {
  constructor(readonly options: ApiClientOptions) {}

  get base(): string {
    return this.options.base;
  }

  get hasToken(): boolean {
    return Boolean(this.options.token);
  }

  url(path: string, query?: RequestOptions['query']): string {
    const u = new URL(this.base + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** A JSON request; resolves with the parsed body (undefined for 204). */
  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.fetch(method, path, opts);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError('CLI_BAD_RESPONSE', `The API at ${this.base} answered with something that is not JSON (HTTP ${res.status}).`, 'Check that PADDOCK_API points at a Paddock API.', ExitCode.failure, res.status);
    }
  }

  /** A request whose successful response the caller reads itself (SSE, log streams); errors are mapped like json(). */
  async fetch(method: string, path: string, opts: RequestOptions & { rawBody?: RequestInit['body']; duplex?: 'half' } = {}): Promise<Response> {
    const anonymous = opts.anonymous ?? this.options.anonymous ?? false;
    if (!anonymous && !this.options.token) throw notLoggedIn(this.base);
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent, accept: 'application/json', ...opts.headers };
    if (!anonymous && this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    let body: RequestInit['body'] = opts.rawBody;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const retries = opts.retries ?? (method === 'GET' ? 2 : 0);
    for (let attempt = 0; ; attempt++) {
      const signals = [opts.signal, timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined].filter((s): s is AbortSignal => s !== undefined);
      let res: Response;
      try {
        res = await fetch(this.url(path, opts.query), {
          method,
          headers,
          body,
          signal: signals.length ? AbortSignal.any(signals) : undefined,
          ...(opts.duplex ? { duplex: opts.duplex } : {}),
        } as RequestInit);
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        if (attempt < retries) {
          await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
          continue;
        }
        throw this.networkError(err);
      }
      if (res.ok) return res;
      throw await this.httpError(res, { ...opts, anonymous });
    }
  }

  networkError(err: unknown): CliError {
    const reason = networkReason(err);
    return new CliError(
      'CLI_NETWORK',
      `Could not reach the Paddock API at ${this.base} (${reason}).`,
      'Check your connection and that the API is running, or point PADDOCK_API (or --api) at it; then run the command again.',
      ExitCode.network,
    );
  }

  /** The CliError for a refused request; public for answers read another way (`paddock run -- shell`'s upgrade). */
  async httpError(res: Response, opts: RequestOptions): Promise<CliError> {
    let body: ApiErrorBody = {};
    try {
      body = (await res.json()) as ApiErrorBody;
    } catch {
      // not JSON: keep the status only
    }
    const code = body.error?.code ?? `HTTP_${res.status}`;
    const message = body.error?.message ?? `The API answered ${res.status} ${res.statusText}.`;
    switch (res.status) {
      case 401: {
        if (opts.anonymous) return new CliError(code, message, undefined, ExitCode.auth, 401);
        const hint = this.options.tokenSource === 'env'
          ? 'PADDOCK_TOKEN is not accepted (expired or revoked?): create a new token with `paddock tokens:create` and set it.'
          : 'Your login is no longer valid (expired or revoked): run `paddock login` again.';
        return new CliError(code, message, hint, ExitCode.auth, 401);
      }
      case 403:
        return new CliError(code, message, forbiddenHint(code, message, this.options.tokenSource), ExitCode.failure, 403);
      case 404:
        if (code === 'PDK_NOT_FOUND') {
          // No such route (not "no such site"): the platform is older or newer than this CLI.
          return new CliError(code, `The platform at ${this.base} does not offer what this command needs: its API is older (or newer) than this CLI.`, 'This platform does not support the command yet; check `paddock --version` against the platform\'s version.', ExitCode.failure, 404);
        }
        return new CliError(code, message, opts.notFoundHint, ExitCode.notFound, 404);
      case 413:
        return new CliError(code, message, 'Add large files that the site does not need (build output, media, data) to .paddockignore.', ExitCode.failure, 413);
      case 429: {
        const after = res.headers.get('retry-after');
        return new CliError(code, message, `Too many requests: wait ${after ? `${after} s` : 'a minute'} and try again.`, ExitCode.failure, 429);
      }
      case 400:
        // The API's schema check in words ("replicas must be at least 1"); the command adds where to look.
        if (code === 'PDK_VALIDATION') return new CliError(code, message.replace(/^The request is invalid: /, 'The platform did not accept this: '), undefined, ExitCode.failure, 400);
        return new CliError(code, message, undefined, ExitCode.failure, 400);
      default:
        if (code === 'PDK_PLATFORM_UNAVAILABLE') {
          const after = res.headers.get('retry-after');
          return new CliError(code, message, `Run the same command again in ${after ? `${after} s` : 'a few seconds'}; if it keeps failing, tell the platform's operator.`, ExitCode.failure, res.status);
        }
        if (res.status >= 500) {
          return new CliError(code, message, 'The platform failed to handle this. Try again; if it keeps failing, tell its operator (and quote the code).', ExitCode.failure, res.status);
        }
        return new CliError(code, message, undefined, ExitCode.failure, res.status);
    }
  }
}

/** What to do about a refusal: another role, or a token with the scope it lacks. */
function forbiddenHint(code: string, message: string, tokenSource: ApiClientOptions['tokenSource']): string | undefined {
  if (code === 'PDK_FORBIDDEN_ROLE') return 'Ask an owner or admin of the organisation for a role that allows this.';
  if (code === 'PDK_TOKEN_SCOPE') {
    const scope = /"(\w+)" scope/.exec(message)?.[1] ?? '<scope>';
    const make = `\`paddock tokens:create <name> --scope ${scope}\``;
    return tokenSource === 'env'
      ? `PADDOCK_TOKEN lacks that scope: create a token with it (${make}) and set PADDOCK_TOKEN to it.`
      : `This machine's token lacks that scope: run \`paddock login\` again, or use a token made with ${make}.`;
  }
  return undefined;
}

export function networkReason(err: unknown): string {
  let e: unknown = err;
  let innermost = err instanceof Error ? err.message : String(err);
  for (let depth = 0; e && depth < 5; depth++) {
    const obj = e as { code?: string; name?: string; message?: string; cause?: unknown };
    if (obj.name === 'TimeoutError') return 'timed out';
    if (obj.code && networkReasons[obj.code]) return networkReasons[obj.code]!;
    if (obj.code) return obj.code;
    if (obj.message) innermost = obj.message;
    e = obj.cause;
  }
  return innermost;
}
