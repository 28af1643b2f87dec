// One-off commands over HTTP (`paddock run`): POST /v1/sites/:site/run runs a paddock-runtime
// command in a new container of the live release, streaming its output (SSE) or answering it
// whole (JSON), or, on a connection upgraded to `paddock-run`, relaying a terminal both ways (`paddock run -- shell`).
// Without the upgrade there is no stdin: interactive commands are refused with a clear error (`shell -c CODE` is not one).
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough, Writable, type Duplex } from 'node:stream';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { audit } from '../audit/audit.js';
import { errors, PaddockError } from '../errors.js';
import { deployRuntimeOf } from '../releases/deploy-runtime.js';
import { prepareOneOff, reserveOneOff, runOneOff, type OneOffOutcome } from '../releases/one-off.js';
import { RESERVED } from './env-vars.js';
import { DnsLabel, errorResponses } from './schemas.js';
import { openSse } from './sse.js';

/** Output kept per stream in a JSON answer; beyond it the oldest lines go (the end says how it failed). */
export const MAX_OUTPUT_CHARS = 512 * 1024;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

const RunBody = Type.Object({
  command: Type.Array(Type.String({ maxLength: 4096 }), {
    minItems: 1, maxItems: 64,
    description: 'a paddock-runtime command and its arguments, e.g. ["migrate"] or ["check", "--deploy"]; the site directory is given to it (--site-dir)',
  }),
  timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, description: 'a shorter time limit than the platform\'s (PADDOCK_RUN_TIMEOUT_S)' })),
  env: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$' }), Type.String({ maxLength: 4096 }), {
    maxProperties: 16,
    description: 'extra env vars for this run only, e.g. PADDOCK_SUPERUSER_PASSWORD for createsuperuser (no stdin here); the platform\'s own (DATABASE_URL, ...) cannot be replaced; not recorded',
  })),
}, { additionalProperties: false });

const RunResult = Type.Object({
  exitCode: Type.Integer({ description: '124 when the time limit killed it' }),
  timedOut: Type.Boolean(),
  stdout: Type.String(),
  stderr: Type.String(),
  truncated: Type.Boolean({ description: 'true when the oldest output was cut to keep the answer small' }),
});

/** Keeps the last MAX_OUTPUT_CHARS of a stream. */
class Tail {
  private parts: string[] = [];
  private size = 0;
  cut = false;
  push(line: string): void {
    this.parts.push(`${line}\n`);
    this.size += line.length + 1;
    while (this.size > MAX_OUTPUT_CHARS && this.parts.length > 1) {
      this.size -= this.parts.shift()!.length;
      this.cut = true;
    }
  }
  text(): string {
    const all = this.parts.join('');
    if (all.length <= MAX_OUTPUT_CHARS) return all;
    this.cut = true;
    return all.slice(-MAX_OUTPUT_CHARS);
  }
}

/** The `Upgrade` token of an interactive run (`Connection: Upgrade`), like Docker's attach. */
export const RUN_UPGRADE = 'paddock-run';
/** Frames on an upgraded run's server→client stream, with Docker's 8-byte header (type, 0, 0, 0, uint32 BE length). */
export const RUN_FRAME = { output: 1, end: 3 } as const;
/** A request body is at most this big (the schema's limits), read off the socket before the route runs. */
const MAX_UPGRADE_BODY = 512 * 1024;
/** Output a client has not read yet; beyond it the client is too slow and is disconnected (killing the run). */
const MAX_UNREAD_OUTPUT = 4 * 1024 * 1024;

export function runFrame(type: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Upgraded requests of this route: their socket, and the client's bytes after the body (the one-off's stdin). */
const upgraded = new WeakMap<IncomingMessage, { socket: Duplex; input: PassThrough }>();

/**
 * Node hands a request with `Connection: Upgrade` to the server's 'upgrade' event, its socket detached from HTTP,
 * instead of to Fastify. Such a request still goes through Fastify's routing (authentication, hooks, schema,
 * role checks, audit: the same as a plain POST), with its body read off the socket first; what follows the body
 * is kept for the one-off's stdin. Any other upgrade (e.g. curl's h2c) is answered as a plain HTTP/1.1 request.
 */
/** Seconds a detached socket may stay half-open after our last byte before it is destroyed. */
const LINGER_MS = 5_000;

/**
 * Ends a detached socket and makes sure it goes: the HTTP server allows half-open sockets and a socket
 * taken over by an upgrade has none of the server's timeouts, so a client that never closes its end
 * would otherwise hold it for ever.
 */
function closeSoon(socket: Duplex, last?: Buffer | string): void {
  socket.end(last);
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

function routeUpgrades(root: FastifyInstance): void {
  root.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    // A client that vanishes without closing is noticed (and its one-off killed) within a minute.
    (socket as Socket).setKeepAlive?.(true, 15_000);
    const length = Number(req.headers['content-length'] ?? 0);
    if (req.headers['transfer-encoding'] || !Number.isSafeInteger(length) || length < 0 || length > MAX_UPGRADE_BODY) {
      closeSoon(socket, 'HTTP/1.1 411 Length Required\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    let buffered = head;
    // A client that never finishes its body does not keep the socket (plain requests have the server's timeouts).
    const stalled = setTimeout(() => socket.destroy(), 30_000);
    const dispatch = () => {
      clearTimeout(stalled);
      socket.off('data', more);
      const input = new PassThrough();
      if (buffered.length > length) input.write(buffered.subarray(length));
      socket.pipe(input);
      const r = new IncomingMessage(socket as Socket);
      Object.assign(r, {
        method: req.method, url: req.url, headers: req.headers, rawHeaders: req.rawHeaders,
        httpVersion: req.httpVersion, httpVersionMajor: req.httpVersionMajor, httpVersionMinor: req.httpVersionMinor, complete: true,
      });
      if (length > 0) r.push(buffered.subarray(0, length));
      r.push(null);
      const res = new ServerResponse(r);
      res.shouldKeepAlive = false;
      res.assignSocket(socket as Socket);
      res.on('finish', () => closeSoon(socket));
      if ((req.headers.upgrade ?? '').toLowerCase() === RUN_UPGRADE) upgraded.set(r, { socket, input });
      root.routing(r, res);
    };
    const more = (c: Buffer) => {
      buffered = Buffer.concat([buffered, c]);
      if (buffered.length >= length) dispatch();
    };
    if (buffered.length >= length) dispatch(); else socket.on('data', more);
  });
}

/**
 * An interactive run on an upgraded connection: 101, then the client's bytes go to the one-off's stdin and its
 * output comes back in output frames, then one end frame with `{"exitCode","timedOut"}` or `{"error"}`.
 */
async function relayInteractive(
  conn: { socket: Duplex; input: PassThrough }, run: (signal: AbortSignal, output: Writable) => Promise<OneOffOutcome>,
): Promise<void> {
  const { socket, input } = conn;
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${RUN_UPGRADE}\r\n\r\n`);
  // The client going away (or reading too slowly) kills the one-off, as for a stream. Its end of the connection
  // closing is going away too: the server side of an HTTP socket stays half-open, so 'close' alone would not come.
  const gone = new AbortController();
  socket.once('end', () => gone.abort());
  socket.once('close', () => gone.abort());
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!socket.destroyed) socket.write(runFrame(RUN_FRAME.output, chunk));
      if (socket.writableLength > MAX_UNREAD_OUTPUT) socket.destroy();
      done();
    },
  });
  try {
    const r = await run(gone.signal, output);
    if (!socket.destroyed) closeSoon(socket, runFrame(RUN_FRAME.end, Buffer.from(JSON.stringify({ exitCode: r.exitCode, timedOut: r.timedOut }))));
  } catch (err) {
    const e = err instanceof PaddockError ? err : errors.internal();
    if (!socket.destroyed) closeSoon(socket, runFrame(RUN_FRAME.end, Buffer.from(JSON.stringify({ error: { code: e.code, message: e.message } }))));
    if (!(err instanceof PaddockError)) throw err;
  } finally {
    socket.unpipe(input);
    input.destroy();
  }
}

export const runPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const p = app.platform;
  routeUpgrades(root);

  app.post('/v1/sites/:site/run', {
    config: { auth: { scope: 'write', site: 'deploy' } },
    schema: {
      tags: ['deploys'],
      summary: 'Run a one-off command in a new container of the live release (its image, env and isolation)',
      description: 'With `Accept: text/event-stream`: Server-Sent Events `data: {"line","stream":"stdout"|"stderr"}`, then one `data: {"exitCode"}` '
        + '(or `data: {"error":{"code","message"}}`); disconnecting kills the command. A client that does not read gets `data: {"dropped":N}` in place of the lines it missed, '
        + 'and is disconnected (killing the command) after 30 s without reading. Otherwise JSON once it ends. No stdin: `shell` runs only with `-c CODE` (its value is printed), '
        + 'unless the request upgrades the connection (`Connection: Upgrade`, `Upgrade: paddock-run`, a Content-Length body): then, after `101`, '
        + 'the client\'s bytes are the one-off\'s stdin (a terminal with the docker driver) and the server sends frames with Docker\'s 8-byte header '
        + '(type, 0, 0, 0, uint32 length): type 1 output, then one type 3 `{"exitCode","timedOut"}` or `{"error":{"code","message"}}`. At most 3 runs per site at once (PDK_RUN_BUSY).',
      params: Type.Object({ site: DnsLabel }),
      body: RunBody,
      response: { 200: RunResult, ...errorResponses },
    },
  }, async (request, reply) => {
    const { auth } = request;
    const { site } = request.siteAccess;
    const { command } = request.body;
    if (!/^[a-z][a-z0-9_-]*$/.test(command[0]!)) throw errors.validation('the command must start with a command name like "migrate" or "check"');
    const extraEnv = request.body.env ?? {};
    for (const name of Object.keys(extraEnv)) {
      // (The schema's key pattern documents the rule; Record keys are not checked by it.)
      if (!ENV_NAME.test(name)) throw errors.validation(`"${name}" is not a variable name (letters, digits and _, not starting with a digit)`);
      if (RESERVED.has(name.toUpperCase()) || name.toUpperCase() === 'PADDOCK_SITE') throw errors.validation(`${name} is set by the platform and cannot be changed`);
    }
    const deps = deployRuntimeOf(p);
    const conn = upgraded.get(request.raw);
    const live = await prepareOneOff(deps, site, command, { stdin: conn !== undefined });
    const timeoutMs = Math.min(request.body.timeoutSeconds ?? p.config.runTimeoutS, p.config.runTimeoutS) * 1000;
    // Taken before anything is answered, so a busy site gets a plain 409 even on a stream.
    const slot = await reserveOneOff(p.redis, site, timeoutMs);
    try {
      // Arguments and env values may hold secrets: only the command's name and the env names are recorded.
      await audit(p.db, auth.actor, {
        action: 'site.run', targetType: 'site', targetId: site.id, orgId: site.org_id,
        details: { command: command[0], release: live.version, env: Object.keys(extraEnv), ...(conn ? { interactive: true } : {}) },
      });

      if (conn) {
        reply.hijack();
        await relayInteractive(conn, (signal, output) => runOneOff(deps, site, live, command, {
          timeoutMs, signal, env: extraEnv, stdio: { input: conn.input, output },
        })).catch((err: unknown) => request.log.warn({ err, site: site.name }, 'interactive one-off failed'));
        return reply;
      }

      // The response closing before it was finished means the client went away: the one-off dies with it.
      const gone = new AbortController();
      reply.raw.on('close', () => { if (!reply.raw.writableFinished) gone.abort(); });

      if ((request.headers.accept ?? '').includes('text/event-stream')) {
        const sse = openSse(request, reply);
        try {
          // A client that stops reading loses lines (it is told how many), then the run (sse.signal).
          const r = await runOneOff(deps, site, live, command, {
            timeoutMs, signal: AbortSignal.any([gone.signal, sse.signal]), env: extraEnv,
            onLine: (l) => sse.sendLine('message', { line: l.line, stream: l.stream }),
          });
          sse.send('message', { exitCode: r.exitCode, timedOut: r.timedOut });
        } catch (err) {
          request.log.warn({ err, site: site.name }, 'one-off run failed to start');
          const e = err instanceof PaddockError ? err : errors.internal();
          sse.send('message', { error: { code: e.code, message: e.message } });
        } finally {
          sse.end();
        }
        return reply;
      }

      const out = { stdout: new Tail(), stderr: new Tail() };
      const r = await runOneOff(deps, site, live, command, { timeoutMs, signal: gone.signal, env: extraEnv, onLine: (l) => out[l.stream].push(l.line) });
      const stdout = out.stdout.text();
      const stderr = out.stderr.text();
      return { exitCode: r.exitCode, timedOut: r.timedOut, stdout, stderr, truncated: out.stdout.cut || out.stderr.cut };
    } finally {
      await slot.release().catch((err: unknown) => request.log.warn({ err, site: site.name }, 'could not release a one-off slot; it lapses by itself'));
    }
  });
};
