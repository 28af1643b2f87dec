// Tells the errors of a platform service that is away — Postgres or Redis stopped, restarting or
// unreachable, the Docker engine down — from every other failure, so the API answers them with
// 503 PDK_PLATFORM_UNAVAILABLE (try again shortly) instead of 500 (a bug to report).

/** Socket errors of a server that refuses, drops or does not answer connections. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Postgres SQLSTATEs of a server that is going or not there yet: class 08 (connection exception),
 * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, shutting down).
 */
const pgUnavailable = (code: string) => code.startsWith('08') || /^57P0[123]$/.test(code);

/** What pg and ioredis say, without a code, when their connection broke or cannot be made. */
const MESSAGES = [
  /^Connection terminated/i, // pg: the server closed the connection
  /timeout exceeded when trying to connect/i, // pg-pool: connectionTimeoutMillis
  /not queryable/i, // pg: a client whose connection broke earlier
  /^Connection is closed/i, // ioredis
  /enableOfflineQueue/i, // ioredis, a BullMQ producer while Redis is away
  /max retries per request/i, // ioredis: MaxRetriesPerRequestError
];

/** True when `err` (or what caused it) is a platform service being unavailable. */
export function isOutage(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || pgUnavailable(e.code))) return true;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  if (typeof e.message === 'string' && MESSAGES.some((m) => m.test(e.message as string))) return true;
  // Node's AggregateError: one failed attempt per address of a host name.
  if (Array.isArray(e.errors) && e.errors.some((x) => isOutage(x, depth + 1))) return true;
  return isOutage(e.cause, depth + 1);
}
