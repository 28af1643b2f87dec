// Settings of the deploy pipeline, the edge and sleep, read from the environment with their dev
// defaults in one place. (They belong in config.ts's table; kept here until that table takes them.)
import { join } from 'node:path';

export interface DeploySettings {
  /** Artifact store directory (uploads and slugs). */
  artifactsDir: string;
  /** Scratch space for builds. */
  buildDir: string;
  /** Where the edge keeps HAProxy's config, map and sockets. */
  edgeDir: string;
  /** Largest accepted upload. */
  maxUploadBytes: number;
  /** Address the edge serves sites on. */
  edgeBind: string;
  /** Port of the edge's own /healthz and /metrics. */
  edgeAdminPort: number;
  /** Idle time before a site's replicas are paused, and before they are stopped, by plan. */
  sleep: Record<string, { pauseAfterS: number; stopAfterS: number }>;
  /** Memory of each site replica when the site has no size of its own. */
  driver: 'docker' | 'process';
}

const num = (v: string | undefined, d: number) => (v && /^\d+$/.test(v) ? Number(v) : d);

export function loadDeploySettings(env: NodeJS.ProcessEnv = process.env): DeploySettings {
  const state = env.PADDOCK_STATE_DIR ?? join(process.cwd(), 'var');
  return {
    artifactsDir: env.PADDOCK_ARTIFACTS_DIR ?? join(state, 'artifacts'),
    buildDir: env.PADDOCK_BUILD_DIR ?? join(state, 'builds'),
    edgeDir: env.PADDOCK_EDGE_DIR ?? join(state, 'edge'),
    maxUploadBytes: num(env.PADDOCK_MAX_UPLOAD_MB, 100) * 1024 * 1024,
    edgeBind: env.PADDOCK_EDGE_BIND ?? '0.0.0.0',
    edgeAdminPort: num(env.PADDOCK_EDGE_ADMIN_PORT, 4080),
    sleep: {
      free: { pauseAfterS: num(env.PADDOCK_SLEEP_PAUSE_FREE_S, 300), stopAfterS: num(env.PADDOCK_SLEEP_STOP_FREE_S, 3600) },
      pro: { pauseAfterS: num(env.PADDOCK_SLEEP_PAUSE_PRO_S, 1800), stopAfterS: num(env.PADDOCK_SLEEP_STOP_PRO_S, 6 * 3600) },
      business: { pauseAfterS: 0, stopAfterS: 0 }, // never sleeps
    },
    driver: env.PADDOCK_DRIVER === 'process' ? 'process' : 'docker',
  };
}
