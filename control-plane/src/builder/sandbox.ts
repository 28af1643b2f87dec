// Where a build runs (ARCHITECTURE.md, "Tenants are hostile"). With Docker: a throwaway container
// of the builder image, hardened like a site's (numeric non-root user, read-only root filesystem,
// tmpfs scratch, every capability dropped, no-new-privileges, pids/memory/CPU limits, a deadline
// after which it is removed), with no secrets in its environment and no platform network: the
// upload mounted read-only and an output folder are all it sees of the host. It gets a network only
// to install npm dependencies, and then the build network (build-network.ts: the internet, not
// the host). Without Docker (the process driver, development only) the same build step runs as a
// limited child process on the host: the same compiler options and refusals, but no boundary.
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { COMPILE_TARGET } from '@paddock/runtime/compiler-options';
import type Docker from 'dockerode';
import type { DockerEngine } from '../engine/docker-engine.js';
import { demultiplex, LineQueue } from '../drivers/log-stream.js';
import { SITE_UID } from '../images/base-image.js';
import { BUILDER_TOOLS, ensureBuilderImage, esbuildBinary, tscBinary, type BuilderImage } from '../images/builder-image.js';
import { runtimePackageDir } from '../images/runtime-image.js';
import { ensureBuildNetwork } from './build-network.js';
import { RESULT_MARKER, type BuildStepPlan, type BuildStepResult } from './build-step.js';
import { defaultBuildLimits, runLimited, type ProcessLimits } from './limited-process.js';

/** What a build asks of its sandbox, in the host's terms. */
export interface BuildRequest {
  /** Host folders: the unpacked upload, the (empty) slug tree, scratch space. */
  site: string;
  out: string;
  scratch: string;
  tsFiles: string[];
  tsconfigRaw: string;
  install?: { command: 'ci' | 'install'; packageJson?: string; registry: string };
  typecheck?: { compilerOptions: Record<string, unknown> };
  limits?: ProcessLimits;
  onLine: (line: string) => void;
}

export interface SandboxOutcome {
  /** Undefined when the step ended without its result line (killed, out of time or memory). */
  result: BuildStepResult | undefined;
  exitCode: number;
  timedOut: boolean;
  /** How it was confined, for the manifest: 'container', or the process limits' enforcement. */
  enforcement: string;
}

export interface BuildSandbox {
  readonly kind: 'container' | 'process';
  run(request: BuildRequest): Promise<SandboxOutcome>;
}

let stepProgram: Promise<string> | undefined;

/** build-step.ts bundled into one ES module that runs on plain Node (in the image, or as a child). */
export function buildStepProgram(): Promise<string> {
  stepProgram ??= (async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const entry = [join(here, 'build-step.ts'), join(here, 'build-step.js')].find((f) => existsSync(f));
    if (!entry) throw new Error(`the build step's source is missing beside ${here}`);
    const r = await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: COMPILE_TARGET, write: false, logLevel: 'silent' });
    return r.outputFiles[0]!.text;
  })().catch((err: unknown) => { stepProgram = undefined; throw err; });
  return stepProgram;
}

/** Everything the plan says about npm: the builder's configuration, never the upload's .npmrc. */
function npmEnv(registry: string, cache: string, userconfig: string): Record<string, string> {
  return {
    npm_config_registry: registry,
    npm_config_cache: cache,
    npm_config_userconfig: userconfig,
    npm_config_loglevel: 'warn',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_ignore_scripts: 'true',
    npm_config_prefer_offline: 'true',
  };
}

/** Reads the step's output: log lines for the deploy (paths made upload-relative), and the result. */
function outputReader(request: BuildRequest, paths: string[]) {
  let result: BuildStepResult | undefined;
  const prefixes = [...paths].sort((a, b) => b.length - a.length).map((p) => `${p}/`);
  const clean = (line: string) => prefixes.reduce((l, p) => l.split(p).join(''), line);
  return {
    line(raw: string): void {
      if (raw.startsWith(RESULT_MARKER)) {
        try {
          result = JSON.parse(raw.slice(RESULT_MARKER.length)) as BuildStepResult;
        } catch { /* a malformed result is no result */ }
        return;
      }
      request.onLine(clean(raw));
    },
    get result() { return result; },
  };
}

export interface DockerBuildSandboxOptions {
  docker: DockerEngine;
  /** Prefix of build container names. */
  namePrefix?: string;
  /** Size of the container's tmpfs /tmp. */
  tmpfsMb?: number;
}

/** LABEL keys shared with the Docker driver's sweep of expired containers. */
const ROLE_LABEL = 'paddock.role';
const DEADLINE_LABEL = 'paddock.deadline';

/** Where the build's folders are in its container. */
export const BUILD_MOUNTS = { root: '/build', site: '/build/site', out: '/build/out', plan: '/build/plan.json', cache: '/build/npm-cache' } as const;

/**
 * A build container's settings: hardened like a site's container, with the build's folders bound
 * in (`binds`, host:container[:ro]) and nothing else of the host, no environment of the worker's,
 * and a deadline label the Docker driver's sweep honours.
 */
export function buildContainerOptions(o: {
  image: string; name: string; command: string[]; binds: string[]; network: string; limits: ProcessLimits; tmpfsMb?: number;
}): Docker.ContainerCreateOptions {
  const memory = o.limits.memoryMb * 1024 * 1024;
  const tmpfsMb = o.tmpfsMb ?? 64;
  return {
    name: o.name,
    Image: o.image,
    Cmd: o.command,
    User: `${SITE_UID}:${SITE_UID}`,
    WorkingDir: BUILD_MOUNTS.root,
    // Nothing of the worker's environment (it holds the platform's secrets).
    Env: ['HOME=/tmp', 'NODE_ENV=production', 'PATH=/usr/bin:/bin'],
    Labels: { [ROLE_LABEL]: 'build', [DEADLINE_LABEL]: String(Date.now() + o.limits.timeoutMs) },
    HostConfig: {
      NetworkMode: o.network,
      ReadonlyRootfs: true,
      Tmpfs: {
        '/tmp': `rw,noexec,nosuid,nodev,size=${tmpfsMb}m,uid=${SITE_UID},gid=${SITE_UID},mode=0700`,
        [BUILD_MOUNTS.root]: `rw,noexec,nosuid,nodev,size=16m,uid=${SITE_UID},gid=${SITE_UID},mode=0700`,
      },
      Binds: o.binds,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      PidsLimit: o.limits.pids,
      Memory: memory,
      MemorySwap: memory, // no swap: a build over its memory is killed, not the host slowed down
      NanoCpus: Math.round(o.limits.cpus * 1e9),
      Privileged: false,
      IpcMode: 'private',
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '1' } },
    },
  };
}

export class DockerBuildSandbox implements BuildSandbox {
  readonly kind = 'container' as const;
  readonly docker: DockerEngine;
  private readonly prefix: string;
  private readonly tmpfsMb: number;
  private image: Promise<BuilderImage> | undefined;

  constructor(opts: DockerBuildSandboxOptions) {
    this.docker = opts.docker;
    this.prefix = opts.namePrefix ?? 'pdk';
    this.tmpfsMb = opts.tmpfsMb ?? 64;
  }

  /** The builder image, built once per process; a failed build is tried again by the next call. */
  builderImage(): Promise<BuilderImage> {
    this.image ??= buildStepProgram().then((program) => ensureBuilderImage(this.docker, program))
      .catch((err: unknown) => { this.image = undefined; throw err; });
    return this.image;
  }

  async run(request: BuildRequest): Promise<SandboxOutcome> {
    const limits = request.limits ?? defaultBuildLimits;
    const image = await this.builderImage();
    const network = request.install ? await ensureBuildNetwork(this.docker) : 'none';
    const inside = BUILD_MOUNTS;
    const plan: BuildStepPlan = {
      site: inside.site, out: inside.out, root: inside.root, tsFiles: request.tsFiles,
      compile: { esbuild: [BUILDER_TOOLS.esbuild], target: COMPILE_TARGET, tsconfigRaw: request.tsconfigRaw },
      ...(request.install ? {
        install: {
          npm: [image.nodePath, BUILDER_TOOLS.npm], command: request.install.command,
          env: npmEnv(request.install.registry, inside.cache, `${inside.root}/npmrc`),
          ...(request.install.packageJson !== undefined ? { packageJson: request.install.packageJson } : {}),
        },
      } : {}),
      ...(request.typecheck ? {
        typecheck: {
          tsc: [BUILDER_TOOLS.tsc],
          compilerOptions: { ...request.typecheck.compilerOptions, typeRoots: [`${BUILDER_TOOLS.types}/@types`, `${inside.root}/node_modules/@types`] },
          links: {},
        },
      } : {}),
    };
    // The container's user owns what it writes; the upload stays root's and is mounted read-only.
    const planFile = join(request.scratch, 'plan.json');
    writeFileSync(planFile, JSON.stringify(plan), { mode: 0o644 });
    const cache = join(request.scratch, 'npm-cache');
    for (const dir of [request.out, ...(request.install ? [cache] : [])]) {
      mkdirSync(dir, { recursive: true });
      chownSync(dir, SITE_UID, SITE_UID);
    }
    const container = await this.docker.createContainer(buildContainerOptions({
      image: image.ref, network, limits, tmpfsMb: this.tmpfsMb, name: `${this.prefix}-build-${randomBytes(4).toString('hex')}`,
      command: [BUILDER_TOOLS.step, inside.plan],
      binds: [
        `${request.site}:${inside.site}:ro`,
        `${planFile}:${inside.plan}:ro`,
        `${request.out}:${inside.out}:rw`,
        ...(request.install ? [`${cache}:${inside.cache}:rw`] : []),
      ],
    }));
    const reader = outputReader(request, [inside.site, inside.out, inside.root]);
    let timedOut = false;
    const stop = new AbortController();
    const timer = setTimeout(() => {
      timedOut = true;
      request.onLine(`the build ran out of time (${Math.round(limits.timeoutMs / 1000)} s) and was stopped`);
      stop.abort();
      void container.remove({ force: true }).catch(() => undefined);
    }, limits.timeoutMs);
    try {
      let exitCode = 137;
      try {
        await container.start();
        const queue = new LineQueue();
        const stream = await container.logs({ follow: true, stdout: true, stderr: true, timestamps: true });
        demultiplex(queue, stream as unknown as NodeJS.ReadableStream);
        stop.signal.addEventListener('abort', () => queue.end(), { once: true });
        for await (const l of queue) reader.line(l.line);
        // The result line is the step's last word; without one, the exit code says what happened.
        if (!stop.signal.aborted) exitCode = reader.result ? 0 : ((await container.wait()) as { StatusCode: number }).StatusCode;
      } catch (err) {
        if (!stop.signal.aborted) throw err;
      }
      return { result: timedOut ? undefined : reader.result, exitCode, timedOut, enforcement: 'container' };
    } finally {
      clearTimeout(timer);
      // Not waited for: the build is over. Should the removal fail, the sweep of expired
      // one-offs removes it once its deadline has passed (it is labelled for it).
      void container.remove({ force: true }).catch(() => undefined);
    }
  }
}

/**
 * The process driver's sandbox, which is none: the step runs on the host in a cgroup-limited
 * child without the worker's environment. The compiler options and refusals are the same; nothing
 * contains what npm or the compilers read.
 */
export class ProcessBuildSandbox implements BuildSandbox {
  readonly kind = 'process' as const;

  async run(request: BuildRequest): Promise<SandboxOutcome> {
    const limits = request.limits ?? defaultBuildLimits;
    const program = join(request.scratch, 'build-step.mjs');
    writeFileSync(program, await buildStepProgram());
    const root = request.scratch;
    const plan: BuildStepPlan = {
      site: request.site, out: request.out, root, tsFiles: request.tsFiles,
      compile: { esbuild: [esbuildBinary()], target: COMPILE_TARGET, tsconfigRaw: request.tsconfigRaw },
      ...(request.install ? {
        install: {
          npm: ['npm'], command: request.install.command,
          env: npmEnv(request.install.registry, join(root, 'npm-cache'), join(root, 'npmrc')),
          ...(request.install.packageJson !== undefined ? { packageJson: request.install.packageJson } : {}),
        },
      } : {}),
      ...(request.typecheck ? {
        typecheck: {
          tsc: [tscBinary()],
          compilerOptions: { ...request.typecheck.compilerOptions, typeRoots: [join(root, 'node_modules', '@types'), typesOfNode()] },
          links: { '@paddock/runtime': runtimePackageDir() },
        },
      } : {}),
    };
    const planFile = join(root, 'plan.json');
    writeFileSync(planFile, JSON.stringify(plan));
    mkdirSync(request.out, { recursive: true });
    const reader = outputReader(request, [request.site, request.out, root]);
    const r = await runLimited({
      cmd: process.execPath,
      args: [program, planFile],
      cwd: root,
      // Not the worker's environment: it holds the platform's secrets.
      env: { PATH: process.env.PATH, HOME: root, NODE_ENV: 'production', ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}) },
      limits,
      onLine: (l) => reader.line(l),
    });
    const timedOut = r.output.some((l) => l === `killed after ${limits.timeoutMs} ms`);
    return { result: reader.result, exitCode: r.exitCode, timedOut, enforcement: r.enforcement };
  }
}

/** The folder holding @types/node on this machine (the process driver's type check reads it). */
function typesOfNode(): string {
  return dirname(dirname(createRequire(import.meta.url).resolve('@types/node/package.json')));
}
