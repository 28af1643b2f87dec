// The runtime's one logger (pino, JSON lines on stdout; LOG_LEVEL sets the level).
import { pino } from 'pino';

export const logger = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { svc: 'site' } });
