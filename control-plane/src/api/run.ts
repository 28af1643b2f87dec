// One-off commands over HTTP (`paddock run`): POST /v1/sites/:site/run runs a paddock-runtime
// command in a new container of the live release, streaming its output (SSE) or answering it
// whole (JSON). There is no stdin: interactive commands are refused with a clear error (`shell -c CODE` is not one).
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { audit } from '../audit/audit.js';
import { errors, PaddockError } from '../errors.js';
import { siteAccess } from '../orgs/access.js';
import { needs } from '../orgs/roles.js';
import { deployRuntimeOf } from '../releases/deploy-runtime.js';
import { prepareOneOff, reserveOneOff, runOneOff } from '../releases/one-off.js';
import { authenticate, bearerSecurity } from './authenticate.js';
import { RESERVED } from './env-vars.js';
import { DnsLabel, errorResponses } from './schemas.js';
import { openSse } from './sse.js';

/** Output kept per stream in a JSON answer; beyond it the oldest lines go (the end says how it failed). */
export const MAX_OUTPUT_CHARS = 512 * 1024;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

const RunBody = Type.Object({
  command: Type.Array(Type.String({ maxLength: 4096 }), {
    minItems: 1, maxItems: 64,
    description: 'a paddock-runtime command and its arguments, e.g. ["migrate"] or ["check", "--deploy"]; the site directory is added after the command name',
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

export const runPlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const p = app.platform;

  app.post('/v1/sites/:site/run', {
    schema: {
      tags: ['deploys'], security: bearerSecurity,
      summary: 'Run a one-off command in a new container of the live release (its image, env and isolation)',
      description: 'With `Accept: text/event-stream`: Server-Sent Events `data: {"line","stream":"stdout"|"stderr"}`, then one `data: {"exitCode"}` '
        + '(or `data: {"error":{"code","message"}}`); disconnecting kills the command. A client that does not read gets `data: {"dropped":N}` in place of the lines it missed, '
        + 'and is disconnected (killing the command) after 30 s without reading. Otherwise JSON once it ends. No stdin: `shell` runs only with `-c CODE` (its value is printed). At most 3 runs per site at once (PDK_RUN_BUSY).',
      params: Type.Object({ site: DnsLabel }),
      body: RunBody,
      response: { 200: RunResult, ...errorResponses },
    },
  }, async (request, reply) => {
    const auth = await authenticate(request);
    const { site } = await siteAccess(p.db, auth.accountId, request.params.site, needs.deploy);
    const { command } = request.body;
    if (!/^[a-z][a-z0-9_-]*$/.test(command[0]!)) throw errors.validation('body/command/0 must be a command name like "migrate" or "check"');
    const extraEnv = request.body.env ?? {};
    for (const name of Object.keys(extraEnv)) {
      // (The schema's key pattern documents the rule; Record keys are not checked by it.)
      if (!ENV_NAME.test(name)) throw errors.validation(`body/env/${name} is not a variable name (letters, digits and _, not starting with a digit)`);
      if (RESERVED.has(name.toUpperCase()) || name.toUpperCase() === 'PADDOCK_SITE') throw errors.validation(`body/env/${name} is set by the platform and cannot be changed`);
    }
    const deps = deployRuntimeOf(p);
    const live = await prepareOneOff(deps, site, command);
    const timeoutMs = Math.min(request.body.timeoutSeconds ?? p.config.runTimeoutS, p.config.runTimeoutS) * 1000;
    // Taken before anything is answered, so a busy site gets a plain 409 even on a stream.
    const slot = await reserveOneOff(p.redis, site, timeoutMs);
    try {
      // Arguments and env values may hold secrets: only the command's name and the env names are recorded.
      await audit(p.db, auth.actor, { action: 'site.run', targetType: 'site', targetId: site.id, orgId: site.org_id, details: { command: command[0], release: live.version, env: Object.keys(extraEnv) } });

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
