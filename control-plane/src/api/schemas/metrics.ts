// Schemas of a site's metrics.
import { Type } from 'typebox';
import { Timestamp } from './common.js';

// An enum rather than a union of literals: a wrong window is then told "one of the allowed values".
export const Window = Type.Enum(['1h', '6h', '24h'], {
  description: '1h: 60 points of 60 s; 6h: 72 points of 300 s; 24h: 96 points of 900 s',
});

export const MetricsPoint = Type.Object({
  t: { ...Timestamp, description: 'start of the step' },
  requests: Type.Integer({ minimum: 0 }),
  errors: Type.Integer({ minimum: 0, description: '5xx answers' }),
  p95Ms: Type.Union([Type.Number(), Type.Null()], { description: '95th percentile of the total request time, ms; null without requests' }),
  memoryBytes: Type.Union([Type.Integer(), Type.Null()], { description: 'memory of the running replicas (summed, largest sample of the step); null without a sample' }),
});

export const SiteMetrics = Type.Object({
  window: Window,
  stepSeconds: Type.Integer(),
  points: Type.Array(MetricsPoint, { description: 'oldest first; the last point is the current, partial step' }),
});

