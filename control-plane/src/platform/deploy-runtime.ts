// The deploy runtime: the handles that deploys, one-off runs, the edge, the sleep and teardown jobs
// and the logs route share beside the platform's own — the driver, the artifact store, the log
// store, the edge signal, the build sandbox, the settings, the runtime image — opened once per process.
import { join } from 'node:path';
import type { Platform } from './platform.js';
import { DirectoryArtifactStore, type ArtifactStore } from '../artifacts/artifact-store.js';
import { DockerDriver } from '../drivers/docker.js';
import { tenantEgress } from '../drivers/egress.js';
import type { Driver } from '../drivers/driver.js';
import type { DockerEngine } from '../engine/docker-engine.js';
import { EdgeSignal } from './edge-signal.js';
import { ensureRuntimeImage, runtimePackageDir, type RuntimeImage } from '../images/runtime-image.js';
import { ProcessDriver } from '../drivers/process.js';
import { LogStore } from './log-store.js';
import { deploySettings, type DeploySettings } from '../config.js';
import { DockerBuildSandbox, ProcessBuildSandbox, type BuildSandbox } from '../builder/sandbox.js';

export interface DeployRuntime {
  platform: Pick<Platform, 'db' | 'secrets' | 'config' | 'logger'>;
  driver: Driver;
  docker?: DockerEngine;
  artifacts: ArtifactStore;
  logs: LogStore;
  edge: EdgeSignal;
  settings: DeploySettings;
  /** Where builds run: a container of the builder image, or (process driver) a limited child. */
  buildSandbox: BuildSandbox;
  runtimeImage(): Promise<RuntimeImage>;
  /** Adds the job that runs the deploy (the API enqueues; tests may run it inline). */
  enqueue(deployId: string): Promise<void>;
}

export interface DeployRuntimeOptions {
  settings?: DeploySettings;
  driver?: Driver;
  /** Namespace of the edge signal and log keys in the platform Redis (tests isolate by it). */
  namespace?: string;
  /** Runs the deploy right away instead of through the queue (tests of the pipeline alone). */
  enqueue?: (deployId: string) => Promise<void>;
}

export function openDeployRuntime(platform: Platform, opts: DeployRuntimeOptions = {}): DeployRuntime {
  const settings = opts.settings ?? deploySettings(platform.config);
  const docker = opts.driver instanceof DockerDriver ? opts.driver : new DockerDriver({ egress: tenantEgress(platform.config) });
  const driver = opts.driver ?? (settings.driver === 'process'
    ? new ProcessDriver({ runtimeDir: runtimePackageDir(), mediaDir: join(settings.buildDir, 'media'), warn: (m) => platform.logger.warn(m) })
    : docker);
  const namespace = opts.namespace ?? platform.queues.prefix;
  let runtime: Promise<RuntimeImage> | undefined;
  return {
    platform,
    driver,
    ...(driver.kind === 'docker' ? { docker: docker.docker } : {}),
    // Builds run in containers wherever Docker runs the sites; the process driver has no engine.
    buildSandbox: driver.kind === 'docker' ? new DockerBuildSandbox({ docker: docker.docker }) : new ProcessBuildSandbox(),
    artifacts: new DirectoryArtifactStore(settings.artifactsDir),
    logs: new LogStore(platform.redis, namespace),
    edge: new EdgeSignal(platform.redis, namespace),
    settings,
    runtimeImage: () => {
      // Built once per process; a failed build is retried by the next deploy.
      runtime ??= ensureRuntimeImage(docker.docker).catch((err: unknown) => { runtime = undefined; throw err; });
      return runtime;
    },
    enqueue: opts.enqueue ?? (async (deployId) => {
      await platform.queues.deploy.add('deploy', { deployId }, { jobId: deployId, attempts: 1 });
    }),
  };
}

const perPlatform = new WeakMap<Platform, DeployRuntime>();

/** The one deploy runtime of a platform (API plugins and workers of one process share it). */
export function deployRuntimeOf(platform: Platform): DeployRuntime {
  let deps = perPlatform.get(platform);
  if (!deps) perPlatform.set(platform, (deps = openDeployRuntime(platform)));
  return deps;
}

/** Installs a deploy runtime made with other options (tests: another driver or settings). */
export function useDeployRuntime(platform: Platform, deps: DeployRuntime): void {
  perPlatform.set(platform, deps);
}
