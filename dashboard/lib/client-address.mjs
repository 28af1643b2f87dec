// Who the browser is, for the API's per-client limits (login attempts): the dashboard's server
// (server.mjs) works it out from the connection it accepted and hands it to the app in a header of
// its own, which the app forwards to the API as X-Forwarded-For. Plain JavaScript: the server runs
// it without a build step, the app imports the same file.
import { isIP } from 'node:net';

/** Set by server.mjs on every request (any copy the browser sent is dropped first). */
export const CLIENT_ADDRESS_HEADER = 'x-paddock-client-address';

/** How many proxies of ours stand in front of the dashboard (PADDOCK_DASHBOARD_PROXY_HOPS, default 0). */
export function trustedHops(env = process.env) {
  const n = Number(env.PADDOCK_DASHBOARD_PROXY_HOPS ?? 0);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

function normalise(address) {
  const a = (address ?? '').trim().replace(/^\[(.*)\]$/, '$1');
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a)?.[1];
  const ip = v4 ?? a;
  return isIP(ip) ? ip : undefined;
}

/**
 * The browser's address. With no proxy in front (hops 0) it is the connection's peer, whatever
 * X-Forwarded-For the browser sent. Behind `hops` proxies, each appending its peer to
 * X-Forwarded-For, it is the address the outermost of them saw: `hops` entries from the right of
 * [...X-Forwarded-For, peer]; entries further left were written by the client and prove nothing.
 * Undefined when that entry is not an IP address.
 */
export function clientAddress(peer, forwardedFor, hops = 0) {
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor ?? '';
  const chain = [...header.split(',').map((s) => s.trim()).filter(Boolean), peer ?? ''];
  return normalise(chain[Math.max(0, chain.length - 1 - hops)]);
}
