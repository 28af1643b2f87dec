// Rate limits for the routes that guess passwords or send mail (signup, login, reset), counted
// in the platform Redis so every API server shares them.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.js';

export async function installRateLimits(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    redis: app.platform.redis,
    nameSpace: `${app.platform.queues.prefix}:ratelimit:`,
    skipOnError: true,
    errorResponseBuilder: (_request, context) => errors.rateLimited(context.after),
  });
}

/** Route config: at most the configured attempts per minute per client address. */
export function authRateLimit(app: FastifyInstance) {
  return { rateLimit: { max: app.platform.config.authRateLimit, timeWindow: 60_000, hook: 'preHandler' as const } };
}
