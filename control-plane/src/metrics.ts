// Prometheus metrics of one control-plane process: a registry per process (not prom-client's
// global one, so several servers in one test process do not collide), Node's default metrics,
// HTTP and job timings.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  jobsTotal: Counter<'queue' | 'outcome'>;
  jobDuration: Histogram<'queue'>;
}

export function createMetrics(options: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaults !== false) collectDefaultMetrics({ register: registry, prefix: 'paddock_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'paddock_http_request_duration_seconds',
      help: 'API request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    jobsTotal: new Counter({ name: 'paddock_jobs_total', help: 'Jobs finished by queue and outcome', labelNames: ['queue', 'outcome'], registers: [registry] }),
    jobDuration: new Histogram({
      name: 'paddock_job_duration_seconds',
      help: 'Job duration by queue',
      labelNames: ['queue'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}
