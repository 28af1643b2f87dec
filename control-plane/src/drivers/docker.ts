// Runs each replica of a site as one hardened container (README, "Security"): a numeric
// non-root user, read-only root filesystem with a tmpfs /tmp, every capability dropped,
// no-new-privileges, pids/memory/CPU limits, no host paths or Docker socket, and one bridge network
// per site. The edge and activator reach a replica at its address on that network; nothing is
// published on the host. Docker's bridge isolation keeps one site's network from another's.
// Each web replica runs in the network namespace of its own holder container (images/netns-image.ts,
// hardened the same way), which sits on the site's bridge: the replica can be stopped to free its
// memory and started again without Docker setting up a namespace, veth and address each time.
// What a container may connect to beyond its own network is the host's egress policy (egress.ts),
// installed before the first container starts and checked again every minute. Besides /tmp, the one writable place is
// the site's media volume (a Docker named volume per site at MEDIA_DIR), created with its first replica, removed with it.
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { ensureBaseImage, SITE_UID } from '../images/base-image.js';
import { ensureNetnsImage } from '../images/netns-image.js';
import type { Driver, ExecOptions, ExecStdio, LogLine, LogOptions, OneOffResult, ReplicaSpec, ReplicaState, ReplicaStatus } from './driver.js';
import { KILLED_EXIT_CODE, OutputTail } from './driver.js';
import { connectDocker, type DockerEngine } from '../engine/docker-engine.js';
import { bridgeName, installEgressPolicy, tenantEgress, type TenantEgress } from './egress.js';
import { loadConfig } from '../config.js';
import { demultiplex, LineQueue } from './log-stream.js';

const LABEL = {
  site: 'paddock.site',
  release: 'paddock.release',
  replica: 'paddock.replica',
  role: 'paddock.role',
  port: 'paddock.port',
  /** On a web replica: the id of the container that holds its network namespace. */
  netns: 'paddock.netns',
  /** On a one-off: when it must be gone (epoch ms), so a sweep can end it if its starter died. */
  deadline: 'paddock.deadline',
} as const;

/** A one-off outlives its deadline by this much before a sweep removes it: the starter's own timer goes first, and says why. */
export const ONE_OFF_REAP_GRACE_MS = 5_000;

/** How often the egress policy is checked (and put back if something removed it). */
const EGRESS_RECHECK_MS = 60_000;

/** Where a replica's media volume is mounted; the driver passes it to the site as PADDOCK_MEDIA_ROOT. */
export const MEDIA_DIR = '/var/paddock/media';

/** Limits of a network holder: it only sleeps. */
const HOLDER_LIMITS = { memoryMb: 8, cpus: 0.05, pids: 4 };

export interface DockerDriverOptions {
  docker?: DockerEngine;
  /** Prefix of container and network names; lets tests keep to their own. */
  namePrefix?: string;
  /** Size of each replica's tmpfs /tmp. */
  tmpfsMb?: number;
  /** Image of the network holders (default: built here, images/netns-image.ts). */
  netnsImage?: string;
  /**
   * Tenant containers' egress policy (null: not enforced). It is one policy for the whole host, so
   * every driver of it must agree: by default, the one the environment's configuration implies.
   */
  egress?: TenantEgress | null;
}

function statusOf(state: { Status?: string; Paused?: boolean }): ReplicaStatus {
  if (state.Paused) return 'paused';
  switch (state.Status) {
    case 'running': return 'running';
    case 'paused': return 'paused';
    case 'created': return 'created';
    default: return 'exited';
  }
}

function isStatus(err: unknown, ...codes: number[]): boolean {
  return codes.includes((err as { statusCode?: number }).statusCode ?? 0);
}

/** The engine's answer when a container's process exited while it was being started (a site that crashes at once). */
function exitedWhileStarting(err: unknown): boolean {
  return isStatus(err, 500) && /cannot start a stopped process/i.test(String((err as Error).message));
}

export class DockerDriver implements Driver {
  readonly kind = 'docker' as const;
  readonly isolates = true;
  readonly docker: DockerEngine;
  private readonly prefix: string;
  private readonly tmpfsMb: number;
  private netnsImage: Promise<string> | undefined;
  private readonly egress: TenantEgress | null;
  private egressCheck: { at: number; done: Promise<void> } | undefined;

  constructor(opts: DockerDriverOptions = {}) {
    this.docker = opts.docker ?? connectDocker();
    this.prefix = opts.namePrefix ?? 'pdk';
    this.tmpfsMb = opts.tmpfsMb ?? 64;
    if (opts.netnsImage) this.netnsImage = Promise.resolve(opts.netnsImage);
    this.egress = opts.egress !== undefined ? opts.egress : tenantEgress(loadConfig());
  }

  /** Installs the host's egress policy for tenant containers, or checks it is still there (at most once a minute). */
  async ensureIsolation(): Promise<void> {
    if (!this.egress) return;
    if (this.egressCheck && Date.now() - this.egressCheck.at < EGRESS_RECHECK_MS) return this.egressCheck.done;
    const done = installEgressPolicy(this.egress).catch((err: unknown) => { this.egressCheck = undefined; throw err; });
    this.egressCheck = { at: Date.now(), done };
    return done;
  }

  /** A site's network. Its bridge is named for the egress policy (`pdk-…`), which filters no other network. */
  networkName(site: string): string {
    return `${this.prefix}-net-${site}`;
  }

  /** A site's network as made before the egress policy (an ordinary bridge): its containers leave it at the next deploy. */
  private legacyNetworkName(site: string): string {
    return `${this.prefix}-site-${site}`;
  }

  /** A site's media volume: its uploads (MEDIA_ROOT), kept across releases, removed with the site. */
  mediaVolumeName(site: string): string {
    return `${this.prefix}-media-${site}`;
  }

  /**
   * The site's media volume, created with its first replica or one-off. A new volume's root belongs to root, so a
   * throwaway container (the base image's node, no network, only CAP_CHOWN and CAP_FOWNER, no tenant code) hands it to
   * the site's user once; concurrent callers may both do it, which is harmless.
   */
  async ensureMediaVolume(site: string): Promise<string> {
    const name = this.mediaVolumeName(site);
    try {
      await this.docker.getVolume(name).inspect();
      return name;
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
    await this.docker.createVolume({ Name: name, Labels: { [LABEL.site]: site, [LABEL.role]: 'media' } });
    const base = await ensureBaseImage(this.docker);
    const prep = await this.docker.createContainer({
      name: `${this.prefix}-${site}-media-${randomBytes(3).toString('hex')}`,
      Image: base.ref,
      User: '0:0',
      Cmd: ['-e', `const fs=require('fs');fs.chownSync('/media',${SITE_UID},${SITE_UID});fs.chmodSync('/media',0o750)`],
      Labels: { [LABEL.site]: site, [LABEL.role]: 'media-prep' },
      HostConfig: {
        NetworkMode: 'none', ReadonlyRootfs: true, CapDrop: ['ALL'], CapAdd: ['CHOWN', 'FOWNER'],
        SecurityOpt: ['no-new-privileges:true'], PidsLimit: 8, Memory: 64 * 1024 * 1024,
        Mounts: [{ Type: 'volume', Source: name, Target: '/media' }],
      },
    });
    try {
      await prep.start();
      const { StatusCode } = await prep.wait() as { StatusCode: number };
      if (StatusCode !== 0) throw new Error(`Preparing the media volume ${name} failed (exit ${StatusCode}).`);
    } finally {
      await prep.remove({ force: true }).catch(() => undefined);
    }
    return name;
  }

  /** The site's own bridge network, created on first use (concurrent callers agree on one). */
  async ensureNetwork(site: string): Promise<string> {
    const name = this.networkName(site);
    try {
      await this.docker.getNetwork(name).inspect();
      return name;
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
    try {
      await this.docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: { [LABEL.site]: site },
        // Replicas of one site may talk to each other; other sites' bridges are dropped by Docker.
        Options: { 'com.docker.network.bridge.enable_icc': 'true', 'com.docker.network.bridge.name': bridgeName(name) },
      });
    } catch (err) {
      if (!isStatus(err, 409)) throw err;
    }
    return name;
  }

  /** Container settings shared by web replicas and one-off commands. */
  private hostConfig(limits: ReplicaSpec['limits'], networkMode: string, mediaVolume?: string): Docker.HostConfig {
    const memory = limits.memoryMb * 1024 * 1024;
    return {
      // The one writable place besides /tmp: the site's media volume (no host path).
      ...(mediaVolume ? { Mounts: [{ Type: 'volume' as const, Source: mediaVolume, Target: MEDIA_DIR, ReadOnly: false }] } : {}),
      NetworkMode: networkMode,
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': `rw,noexec,nosuid,nodev,size=${this.tmpfsMb}m,uid=${SITE_UID},gid=${SITE_UID},mode=0700` },
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      PidsLimit: limits.pids,
      Memory: memory,
      MemorySwap: memory, // no swap: a site over its memory is killed, not the host slowed down
      NanoCpus: Math.round(limits.cpus * 1e9),
      Privileged: false,
      Binds: [],
      IpcMode: 'private',
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
    };
  }

  private containerEnv(spec: ReplicaSpec): string[] {
    const env = { ...spec.env, PORT: String(spec.port), HOST: '0.0.0.0', HOME: '/tmp', PADDOCK_MEDIA_ROOT: MEDIA_DIR };
    return Object.entries(env).map(([k, v]) => `${k}=${v}`);
  }

  private labels(spec: ReplicaSpec, role: 'web' | 'oneoff'): Record<string, string> {
    return {
      [LABEL.site]: spec.site,
      [LABEL.release]: spec.release,
      [LABEL.replica]: String(spec.replica),
      [LABEL.role]: role,
      [LABEL.port]: String(spec.port),
    };
  }

  async create(spec: ReplicaSpec): Promise<ReplicaState> {
    await this.ensureIsolation();
    const network = await this.ensureNetwork(spec.site);
    // Shared by concurrent creates; a failed build is tried again by the next one.
    this.netnsImage ??= ensureNetnsImage(this.docker).catch((err: unknown) => { this.netnsImage = undefined; throw err; });
    const name = `${this.prefix}-${spec.site}-${spec.release}-${spec.replica}-${randomBytes(3).toString('hex')}`;
    const holder = await this.docker.createContainer({
      name: `${name}-net`,
      Image: await this.netnsImage,
      User: `${SITE_UID}:${SITE_UID}`,
      Labels: { [LABEL.site]: spec.site, [LABEL.release]: spec.release, [LABEL.role]: 'netns' },
      HostConfig: { ...this.hostConfig(HOLDER_LIMITS, network), RestartPolicy: { Name: 'unless-stopped' } },
    });
    let container: Docker.Container | undefined;
    try {
      await holder.start();
      const media = await this.ensureMediaVolume(spec.site);
      container = await this.docker.createContainer({
        name,
        Image: spec.image,
        ...(spec.command ? { Cmd: spec.command } : {}),
        Env: this.containerEnv(spec),
        User: `${SITE_UID}:${SITE_UID}`,
        Labels: { ...this.labels(spec, 'web'), [LABEL.netns]: holder.id },
        StopSignal: 'SIGTERM',
        HostConfig: { ...this.hostConfig(spec.limits, `container:${holder.id}`, media), RestartPolicy: { Name: 'unless-stopped' } },
      });
      return await this.inspect(container.id);
    } catch (err) {
      // The replica first: a holder cannot go while a container shares its network namespace.
      await container?.remove({ force: true }).catch(() => undefined);
      await holder.remove({ force: true }).catch(() => undefined);
      throw err;
    }
  }

  async start(id: string): Promise<ReplicaState> {
    const c = this.docker.getContainer(id);
    try {
      await c.start();
    } catch (err) {
      if (isStatus(err, 304)) return this.inspect(id); // already running
      // The process exited while the engine was starting it (a site that crashes at once): that is a
      // state to report (exited, with its code), not an engine failure; callers health-check anyway.
      if (exitedWhileStarting(err)) return this.inspect(id);
      // Its network holder was stopped (by hand, or it did not come back with the engine): start it first.
      const holder = await this.holderOf(id);
      if (!holder || !/non running container|not running/i.test(String((err as Error).message))) throw err;
      await this.docker.getContainer(holder).start().catch((e: unknown) => { if (!isStatus(e, 304)) throw e; });
      // Then the replica; it too may have exited while the engine started it.
      await c.start().catch((e: unknown) => { if (!isStatus(e, 304) && !exitedWhileStarting(e)) throw e; });
    }
    return this.inspect(id);
  }

  private async holderOf(id: string): Promise<string | undefined> {
    const info = await this.docker.getContainer(id).inspect().catch(() => undefined);
    return info?.Config.Labels?.[LABEL.netns];
  }

  async stop(id: string, graceSeconds = 10): Promise<void> {
    try {
      const c = this.docker.getContainer(id);
      const info = await c.inspect();
      if (info.State.Paused) await c.unpause(); // a paused process cannot handle SIGTERM
      await c.stop({ t: graceSeconds });
    } catch (err) {
      if (!isStatus(err, 304, 404)) throw err;
    }
  }

  async pause(id: string): Promise<void> {
    await this.docker.getContainer(id).pause();
  }

  async resume(id: string): Promise<'unpaused' | 'started' | 'running'> {
    const c = this.docker.getContainer(id);
    try {
      await c.unpause(); // the common case (a paused replica) in one engine call
      return 'unpaused';
    } catch (err) {
      if (!isStatus(err, 409, 500)) throw err;
    }
    const state = await this.inspect(id);
    if (state.status === 'paused') {
      await c.unpause();
      return 'unpaused';
    }
    if (state.status === 'running') return 'running';
    await this.start(id);
    return 'started';
  }

  async remove(id: string): Promise<void> {
    const holder = await this.holderOf(id);
    for (const c of [id, holder]) {
      if (!c) continue;
      try {
        await this.docker.getContainer(c).remove({ force: true });
      } catch (err) {
        if (!isStatus(err, 404, 409)) throw err;
      }
    }
  }

  /** Its address on the site's network: its own, or its network holder's. */
  private async ipOf(info: Docker.ContainerInspectInfo, site: string): Promise<string | undefined> {
    const holder = /^container:(.+)$/.exec(info.HostConfig.NetworkMode ?? '')?.[1];
    const networks = holder
      ? (await this.docker.getContainer(holder).inspect().catch(() => undefined))?.NetworkSettings.Networks
      : info.NetworkSettings.Networks;
    return (networks?.[this.networkName(site)] ?? networks?.[this.legacyNetworkName(site)])?.IPAddress || undefined;
  }

  private async stateFrom(info: Docker.ContainerInspectInfo): Promise<ReplicaState> {
    const labels = info.Config.Labels ?? {};
    const site = labels[LABEL.site] ?? '';
    const status = statusOf(info.State);
    const ip = status === 'running' || status === 'paused' ? await this.ipOf(info, site) : undefined;
    const port = Number(labels[LABEL.port] ?? 0);
    const state: ReplicaState = {
      id: info.Id,
      name: info.Name.replace(/^\//, ''),
      site,
      release: labels[LABEL.release] ?? '',
      replica: Number(labels[LABEL.replica] ?? 0),
      status,
    };
    if (ip && port && (status === 'running' || status === 'paused')) state.address = { host: ip, port };
    if (status === 'exited') state.exitCode = info.State.ExitCode;
    return state;
  }

  async inspect(id: string): Promise<ReplicaState> {
    try {
      return await this.stateFrom(await this.docker.getContainer(id).inspect());
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
      return { id, name: id, site: '', release: '', replica: 0, status: 'missing' };
    }
  }

  async list(site?: string): Promise<ReplicaState[]> {
    const filters = { label: [`${LABEL.role}=web`, ...(site ? [`${LABEL.site}=${site}`] : [])] };
    const found = await this.docker.listContainers({ all: true, filters });
    const mine = found.filter((c) => (c.Names[0] ?? '').startsWith(`/${this.prefix}-`));
    const states = await Promise.all(mine.map((c) => this.inspect(c.Id)));
    return states.filter((s) => s.status !== 'missing');
  }

  logs(id: string, opts: LogOptions = {}): AsyncIterable<LogLine> {
    const queue = new LineQueue();
    const c = this.docker.getContainer(id);
    const base = { stdout: true, stderr: true, timestamps: true, ...(opts.tail !== undefined ? { tail: opts.tail } : {}) };
    const source = opts.follow ? c.logs({ ...base, follow: true }) : c.logs({ ...base, follow: false });
    source.then(
      (s: NodeJS.ReadableStream | Buffer) => {
        demultiplex(queue, s);
        const close = () => (s as { destroy?: () => void }).destroy?.();
        queue.onClose = close;
        if (opts.signal?.aborted) { close(); queue.end(); }
        opts.signal?.addEventListener('abort', () => { close(); queue.end(); }, { once: true });
      },
      // Gone or being removed (a drained replica): no more lines, not an error.
      (err: Error) => queue.end(isStatus(err, 404, 409) ? undefined : err),
    );
    return queue;
  }

  async exec(spec: ReplicaSpec, opts: ExecOptions = {}): Promise<OneOffResult> {
    const aborted = () => opts.signal?.aborted ?? false;
    if (aborted()) return { exitCode: KILLED_EXIT_CODE, output: [], dropped: 0, timedOut: false, aborted: true };
    await this.ensureIsolation();
    const network = await this.ensureNetwork(spec.site);
    const media = await this.ensureMediaVolume(spec.site);
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const container = await this.docker.createContainer({
      name: `${this.prefix}-${spec.site}-${spec.release}-run-${randomBytes(3).toString('hex')}`,
      Image: spec.image,
      ...(spec.command ? { Cmd: spec.command } : {}),
      Env: this.containerEnv(spec),
      User: `${SITE_UID}:${SITE_UID}`,
      Labels: { ...this.labels(spec, 'oneoff'), [LABEL.deadline]: String(Date.now() + timeoutMs) },
      HostConfig: this.hostConfig(spec.limits, network, media),
      // Interactive: a terminal whose stdin closes when the client's input ends (StdinOnce), as `docker run -it` makes.
      ...(opts.stdio ? { Tty: true, OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true, AttachStderr: true } : {}),
    });
    const tail = new OutputTail();
    // Time limit and abort end it the same way: the container is removed whatever state it is in
    // (a kill does nothing to one created but not started yet), which also ends its log stream.
    const stop = new AbortController();
    let timedOut = false;
    const removed = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => {
      container.remove({ force: true }).catch(() => undefined).finally(resolve);
    }, { once: true }));
    const timer = setTimeout(() => { timedOut = true; stop.abort(); }, timeoutMs);
    const onAbort = () => stop.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (aborted()) stop.abort(); // aborted while the container was being created
    let removedOutside = false;
    try {
      let exitCode = KILLED_EXIT_CODE;
      try {
        if (opts.stdio && !stop.signal.aborted) await this.attach(container, opts.stdio, stop.signal);
        else {
          if (!stop.signal.aborted) await container.start();
          for await (const line of this.logs(container.id, { follow: true, signal: stop.signal })) {
            tail.push(line);
            opts.onLine?.(line);
          }
        }
        if (!stop.signal.aborted) exitCode = ((await container.wait()) as { StatusCode: number }).StatusCode;
      } catch (err) {
        // Aborted: it went away under it, as asked. Gone otherwise: removed from outside (its
        // site's teardown, the sweep of expired one-offs), which is a kill too, not a failure.
        if (!stop.signal.aborted && !isStatus(err, 404, 409)) throw err;
        if (!stop.signal.aborted) removedOutside = true;
      }
      if (stop.signal.aborted || removedOutside) exitCode = KILLED_EXIT_CODE;
      return { exitCode, output: tail.lines, dropped: tail.dropped, timedOut, aborted: (aborted() || removedOutside) && !timedOut };
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      stop.abort();
      await removed;
    }
  }

  /**
   * Attaches to a created one-off (before it starts, so no output is missed), starts it and relays bytes both ways
   * until its output ends (it exited, or it was removed). With a TTY the stream is raw: no stdout/stderr framing.
   */
  private async attach(container: Docker.Container, io: ExecStdio, stop: AbortSignal): Promise<void> {
    const stream = await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true }) as NodeJS.ReadWriteStream & { destroy(): void };
    const ended = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
    stream.on('data', (c: Buffer) => io.output.write(c));
    const onInputEnd = () => (stream as unknown as { end(): void }).end();
    // Back-pressure: a one-off that stops reading its terminal slows the client down instead of
    // the API holding what the client sends (the client's socket is piped into io.input).
    const onInput = (c: Buffer) => {
      if (!stream.write(c)) {
        io.input.pause();
        stream.once('drain', () => io.input.resume());
      }
    };
    io.input.on('data', onInput);
    io.input.once('end', onInputEnd);
    const onStop = () => stream.destroy();
    stop.addEventListener('abort', onStop, { once: true });
    try {
      await container.start();
      await ended;
    } finally {
      io.input.off('data', onInput);
      io.input.off('end', onInputEnd);
      stop.removeEventListener('abort', onStop);
      stream.destroy();
    }
  }

  async hostAddress(site: string): Promise<string> {
    const net = await this.docker.getNetwork(await this.ensureNetwork(site)).inspect() as { IPAM?: { Config?: Array<{ Gateway?: string }> } };
    const gw = net.IPAM?.Config?.find((c) => c.Gateway)?.Gateway;
    if (!gw) throw new Error(`the network of site ${site} has no gateway address`);
    return gw;
  }

  async memoryBytes(id: string): Promise<number | undefined> {
    try {
      // One-shot (API 1.41): one sample now, without waiting a second for a CPU delta.
      const s = await this.docker.getContainer(id).stats({ stream: false, 'one-shot': true } as { stream: false }) as Docker.ContainerStats;
      const m = s.memory_stats as { usage?: number; stats?: Record<string, number> } | undefined;
      if (!m?.usage) return undefined;
      // As `docker stats` shows it: without the page cache the kernel may drop (cgroup v1 / v2 names).
      return m.usage - (m.stats?.total_inactive_file ?? m.stats?.inactive_file ?? 0);
    } catch (err) {
      if (isStatus(err, 404, 409)) return undefined;
      throw err;
    }
  }

  async reapExpiredOneOffs(now = new Date()): Promise<number> {
    // One-off commands, and build containers (builder/sandbox.ts) whose worker died mid-build.
    const found = await this.docker.listContainers({ all: true, filters: { label: [LABEL.deadline] } });
    const expired = found.filter((c) => ['oneoff', 'build'].includes(c.Labels[LABEL.role] ?? '') && (c.Names[0] ?? '').startsWith(`/${this.prefix}-`)
      && Number(c.Labels[LABEL.deadline]) + ONE_OFF_REAP_GRACE_MS < now.getTime());
    await Promise.all(expired.map((c) => this.docker.getContainer(c.Id).remove({ force: true })
      .catch((err: unknown) => { if (!isStatus(err, 404, 409)) throw err; })));
    return expired.length;
  }

  /** Removes this driver's containers with all these labels, replicas before the holders whose network namespace they share. */
  private async removeLabelled(labels: string[]): Promise<number> {
    const all = (await this.docker.listContainers({ all: true, filters: { label: labels } }))
      .filter((c) => (c.Names[0] ?? '').startsWith(`/${this.prefix}-`));
    const holders = all.filter((c) => c.Labels[LABEL.role] === 'netns');
    for (const group of [all.filter((c) => !holders.includes(c)), holders]) {
      await Promise.all(group.map((c) => this.docker.getContainer(c.Id).remove({ force: true })
        .catch((err: unknown) => { if (!isStatus(err, 404, 409)) throw err; })));
    }
    return all.length;
  }

  async removeRelease(site: string, release: string): Promise<number> {
    return this.removeLabelled([`${LABEL.site}=${site}`, `${LABEL.release}=${release}`]);
  }

  async removeSite(site: string): Promise<void> {
    // Every container of the site, whatever its role (web replicas, their holders, one-offs still
    // running): any one left attached keeps the network from being removed.
    await this.removeLabelled([`${LABEL.site}=${site}`]);
    for (const network of [this.networkName(site), this.legacyNetworkName(site)]) {
      try {
        await this.docker.getNetwork(network).remove();
      } catch (err) {
        if (!isStatus(err, 404)) throw err;
      }
    }
    // Its uploads go with it, after every container that mounted the volume. (Backing the volume up: not yet.)
    try {
      await this.docker.getVolume(this.mediaVolumeName(site)).remove();
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
  }

  /** Bytes a site's media volume holds, as the engine counts them (`docker system df -v`); undefined without a volume. */
  async mediaBytes(site: string): Promise<number | undefined> {
    const df = await this.docker.df() as { Volumes?: Array<{ Name: string; UsageData?: { Size?: number } }> };
    const size = df.Volumes?.find((v) => v.Name === this.mediaVolumeName(site))?.UsageData?.Size;
    return size === undefined || size < 0 ? undefined : size;
  }
}
