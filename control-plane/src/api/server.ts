// Builds the API server: Fastify (plugins type their routes with the TypeBox type provider), one error shape, request
// metrics, OpenAPI at /openapi.json and docs at /docs, then every feature plugin in ./plugins.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import cookie from '@fastify/cookie';
import type { Platform } from '../platform/platform.js';
import { installErrorHandling } from './error-handler.js';
import { apiPlugins } from './plugins.js';
import { metricsPlugin } from './metrics.js';
import { ErrorBody } from './schemas/common.js';
import { installRateLimits } from './rate-limit.js';
import { installRouteAuth } from './route-auth.js';

declare module 'fastify' {
  interface FastifyInstance {
    platform: Platform;
  }
}

export type ApiServer = FastifyInstance;

export interface ServerOptions {
  /** Extra plugins after the built-in ones (tests, embedding). */
  plugins?: FastifyPluginAsyncAny[];
}

type FastifyPluginAsyncAny = (app: FastifyInstance) => Promise<void>;

export async function buildServer(platform: Platform, options: ServerOptions = {}): Promise<ApiServer> {
  const app = Fastify({
    loggerInstance: platform.logger as FastifyBaseLogger,
    // Per-request lines only when debugging: at 200 req/s they would drown everything else.
    logController: new LogController({ disableRequestLogging: platform.config.logLevel !== 'debug' && platform.config.logLevel !== 'trace' }),
    // Behind the dashboard (which calls the API server-side) and the edge, the client's address
    // — for rate limits and the audit log — is in X-Forwarded-For; believed only from these.
    trustProxy: platform.config.trustProxy.length ? platform.config.trustProxy : false,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    return503OnClosing: true,
  });

  app.decorate('platform', platform);
  installErrorHandling(app);

  app.addHook('onResponse', async (request, reply) => {
    platform.metrics.httpDuration
      .labels(request.method, request.routeOptions.url ?? 'unmatched', String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });

  await app.register(cookie);
  await installRateLimits(app);
  app.addSchema(ErrorBody);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Paddock API', version: '1', description: 'The control plane of Paddock. Every error answers `{ "error": { "code", "message" } }`.' },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http', scheme: 'bearer',
            description: 'A session token (login), which holds every scope, or an API token (POST /v1/tokens) with scopes: '
              + '`read` (everything but secrets), `secrets` (read, plus env values and database passwords), '
              + '`write` (changes, and secrets and read), `admin` (the operators\' admin API only). '
              + 'Each operation lists the scope it needs; its description says the role it needs too.',
          },
          session: { type: 'apiKey', in: 'cookie', name: 'paddock_session' },
        },
      },
    },
    transformObject: (doc) => optionalWhenDefaulted('openapiObject' in doc ? doc.openapiObject : doc.swaggerObject),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // From here on every route declares who may call it (the docs pages above are public).
  installRouteAuth(app);
  app.get('/openapi.json', { config: { auth: false }, schema: { hide: true } }, async () => app.swagger());

  for (const plugin of apiPlugins) await app.register(plugin);
  await app.register(metricsPlugin);
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  await app.ready();
  return app;
}

/**
 * A parameter with a default (`page`, `limit`) is one a client may leave out: the validator fills it
 * in, so the document must not call it required.
 */
function optionalWhenDefaulted<T extends { paths?: object }>(doc: T): T {
  type Param = { required?: boolean; schema?: { default?: unknown } };
  for (const item of Object.values(doc.paths ?? {}) as Record<string, { parameters?: Param[] }>[]) {
    for (const op of Object.values(item)) {
      for (const p of op?.parameters ?? []) if (p.schema?.default !== undefined) p.required = false;
    }
  }
  return doc;
}
