// Runs each replica of a site as one hardened container (ARCHITECTURE.md, "Tenancy"): a numeric
// non-root user, read-only root filesystem with a tmpfs /tmp, every capability dropped,
// no-new-privileges, pids/memory/CPU limits, no host paths or Docker socket, and one bridge network
// per site. The edge and activator reach a replica at its address on that network; nothing is
// published on the host. Docker's bridge isolation keeps one site's network from another's.
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { SITE_UID } from '../images/base-image.js';
import type { Driver, LogLine, LogOptions, OneOffResult, ReplicaSpec, ReplicaState, ReplicaStatus } from './driver.js';
import { connectDocker, type DockerEngine } from './docker-engine.js';
import { demultiplex, LineQueue } from './log-stream.js';

const LABEL = {
  site: 'paddock.site',
  release: 'paddock.release',
  replica: 'paddock.replica',
  role: 'paddock.role',
  port: 'paddock.port',
} as const;

export interface DockerDriverOptions {
  docker?: DockerEngine;
  /** Prefix of container and network names; lets tests keep to their own. */
  namePrefix?: string;
  /** Size of each replica's tmpfs /tmp. */
  tmpfsMb?: number;
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

export class DockerDriver implements Driver {
  readonly kind = 'docker' as const;
  readonly isolates = true;
  readonly docker: DockerEngine;
  private readonly prefix: string;
  private readonly tmpfsMb: number;

  constructor(opts: DockerDriverOptions = {}) {
    this.docker = opts.docker ?? connectDocker();
    this.prefix = opts.namePrefix ?? 'pdk';
    this.tmpfsMb = opts.tmpfsMb ?? 64;
  }

  networkName(site: string): string {
    return `${this.prefix}-site-${site}`;
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
        Options: { 'com.docker.network.bridge.enable_icc': 'true' },
      });
    } catch (err) {
      if (!isStatus(err, 409)) throw err;
    }
    return name;
  }

  /** Container settings shared by web replicas and one-off commands. */
  private hostConfig(spec: ReplicaSpec, network: string): Docker.HostConfig {
    const memory = spec.limits.memoryMb * 1024 * 1024;
    return {
      NetworkMode: network,
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': `rw,noexec,nosuid,nodev,size=${this.tmpfsMb}m,uid=${SITE_UID},gid=${SITE_UID},mode=0700` },
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      PidsLimit: spec.limits.pids,
      Memory: memory,
      MemorySwap: memory, // no swap: a site over its memory is killed, not the host slowed down
      NanoCpus: Math.round(spec.limits.cpus * 1e9),
      Privileged: false,
      Binds: [],
      IpcMode: 'private',
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
    };
  }

  private containerEnv(spec: ReplicaSpec): string[] {
    const env = { ...spec.env, PORT: String(spec.port), HOST: '0.0.0.0', HOME: '/tmp' };
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
    const network = await this.ensureNetwork(spec.site);
    const name = `${this.prefix}-${spec.site}-${spec.release}-${spec.replica}-${randomBytes(3).toString('hex')}`;
    const container = await this.docker.createContainer({
      name,
      Image: spec.image,
      ...(spec.command ? { Cmd: spec.command } : {}),
      Env: this.containerEnv(spec),
      User: `${SITE_UID}:${SITE_UID}`,
      Labels: this.labels(spec, 'web'),
      ExposedPorts: { [`${spec.port}/tcp`]: {} },
      StopSignal: 'SIGTERM',
      HostConfig: { ...this.hostConfig(spec, network), RestartPolicy: { Name: 'unless-stopped' } },
    });
    return this.inspect(container.id);
  }

  async start(id: string): Promise<ReplicaState> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if (!isStatus(err, 304)) throw err; // already running
    }
    return this.inspect(id);
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
    try {
      await this.docker.getContainer(id).remove({ force: true });
    } catch (err) {
      if (!isStatus(err, 404, 409)) throw err;
    }
  }

  private stateFrom(info: Docker.ContainerInspectInfo): ReplicaState {
    const labels = info.Config.Labels ?? {};
    const site = labels[LABEL.site] ?? '';
    const status = statusOf(info.State);
    const ip = info.NetworkSettings.Networks[this.networkName(site)]?.IPAddress;
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
      return this.stateFrom(await this.docker.getContainer(id).inspect());
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
        opts.signal?.addEventListener('abort', () => { close(); queue.end(); }, { once: true });
      },
      // Gone or being removed (a drained replica): no more lines, not an error.
      (err: Error) => queue.end(isStatus(err, 404, 409) ? undefined : err),
    );
    return queue;
  }

  async exec(spec: ReplicaSpec, opts: { timeoutMs?: number; onLine?: (l: LogLine) => void } = {}): Promise<OneOffResult> {
    const network = await this.ensureNetwork(spec.site);
    const container = await this.docker.createContainer({
      name: `${this.prefix}-${spec.site}-${spec.release}-run-${randomBytes(3).toString('hex')}`,
      Image: spec.image,
      ...(spec.command ? { Cmd: spec.command } : {}),
      Env: this.containerEnv(spec),
      User: `${SITE_UID}:${SITE_UID}`,
      Labels: this.labels(spec, 'oneoff'),
      HostConfig: this.hostConfig(spec, network),
    });
    const output: LogLine[] = [];
    const timer = setTimeout(() => { container.kill().catch(() => undefined); }, opts.timeoutMs ?? 120_000);
    try {
      await container.start();
      for await (const line of this.logs(container.id, { follow: true })) {
        output.push(line);
        opts.onLine?.(line);
      }
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      return { exitCode: StatusCode, output };
    } finally {
      clearTimeout(timer);
      await container.remove({ force: true }).catch(() => undefined);
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

  async removeSite(site: string): Promise<void> {
    for (const r of await this.list(site)) await this.remove(r.id);
    try {
      await this.docker.getNetwork(this.networkName(site)).remove();
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
  }
}
