// The network a build gets when it installs npm dependencies: a bridge of its own (never a site's
// or the platform's), labelled `paddock.role=build` and `paddock.egress=internet` so an egress
// policy can find it, on a bridge interface named here so that host firewall rules can match it.
// Those rules keep it to the internet: nothing addressed to the host itself (its API, dashboard,
// databases, Docker — any of its addresses: the INPUT chain) and nothing in the link-local range
// (cloud metadata: DOCKER-USER), refused at once ("administratively prohibited", as the tenant
// egress policy does, drivers/egress.ts) so npm fails fast instead of hanging. One network serves
// every build on an engine; every other build has `--network none`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { DockerEngine } from '../engine/docker-engine.js';

const run = promisify(execFile);

export const BUILD_NETWORK_LABELS = { 'paddock.role': 'build', 'paddock.egress': 'internet' } as const;

/** The build network, and its bridge interface (not `pdk-...`: the site bridges' egress rules do not apply). */
export const BUILD_NETWORK = 'paddock-build';
export const BUILD_BRIDGE = 'pdkb-build';

/** The firewall rules that keep the bridge's traffic off the host and the metadata range. */
export function buildNetworkRules(bridge: string): Array<{ chain: string; rule: string[] }> {
  return [
    { chain: 'INPUT', rule: ['-i', bridge, '-j', 'REJECT', '--reject-with', 'icmp-admin-prohibited'] },
    { chain: 'DOCKER-USER', rule: ['-i', bridge, '-d', '169.254.0.0/16', '-j', 'REJECT', '--reject-with', 'icmp-admin-prohibited'] },
  ];
}

async function ensureRule(chain: string, rule: string[]): Promise<void> {
  try {
    await run('iptables', ['-w', '-C', chain, ...rule]);
  } catch {
    await run('iptables', ['-w', '-I', chain, ...rule]);
  }
}

function isStatus(err: unknown, code: number): boolean {
  return (err as { statusCode?: number }).statusCode === code;
}

/** Creates the build network if needed and (re)applies its rules; its name. Fails closed. */
export async function ensureBuildNetwork(docker: DockerEngine): Promise<string> {
  const name = BUILD_NETWORK;
  const bridge = BUILD_BRIDGE;
  try {
    await docker.getNetwork(name).inspect();
  } catch (err) {
    if (!isStatus(err, 404)) throw err;
    try {
      await docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: { ...BUILD_NETWORK_LABELS },
        Options: { 'com.docker.network.bridge.name': bridge, 'com.docker.network.bridge.enable_icc': 'false' },
      });
    } catch (e) {
      if (!isStatus(e, 409)) throw e;
    }
  }
  try {
    for (const { chain, rule } of buildNetworkRules(bridge)) await ensureRule(chain, rule);
  } catch (err) {
    throw new Error(`the build network ${name} cannot be kept off the host's ports (iptables: ${(err as Error).message.trim()}); builds that install dependencies need the worker to run as root with iptables`, { cause: err });
  }
  return name;
}
