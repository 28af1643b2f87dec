// The control plane's one logger (pino). Every process makes one at start and hands it down;
// Fastify uses it for request logs.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'paddock'): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token'], censor: '[redacted]' },
  });
}
