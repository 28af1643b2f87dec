#!/usr/bin/env node
// The dashboard's production server: `next start`, plus one thing Next.js cannot do by itself — say
// who the browser is. Next.js passes a browser-sent X-Forwarded-For through untouched, so the app
// cannot tell it from the connection's address; this server works the address out from the socket
// (and PADDOCK_DASHBOARD_PROXY_HOPS trusted proxies) and hands it to the app in its own header,
// which the app forwards to the API (its login rate limits count per browser, not per dashboard).
// Usage: node server.mjs [-p PORT] [-H HOST]   (PORT / HOSTNAME env vars work too)
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIENT_ADDRESS_HEADER, clientAddress, trustedHops } from './lib/client-address.mjs';

const t0 = Date.now();
const args = process.argv.slice(2);
const arg = (...names) => {
  let value;
  args.forEach((a, i) => { if (names.includes(a)) value = args[i + 1]; });
  return value;
};
const port = Number(arg('-p', '--port') ?? process.env.PORT ?? 3000);
const hostname = arg('-H', '--hostname') ?? process.env.HOSTNAME;
const hops = trustedHops();
// Before Next.js (and React) load: they pick their production builds from it.
process.env.NODE_ENV ??= 'production';
const { default: next } = await import('next');

let handle;
const server = createServer((req, res) => {
  // Only this server's word counts: a copy sent by the browser is dropped.
  delete req.headers[CLIENT_ADDRESS_HEADER];
  const address = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], hops);
  if (address) req.headers[CLIENT_ADDRESS_HEADER] = address;
  const serve = () => handle(req, res);
  if (handle) void serve();
  else ready.then(serve, () => { res.statusCode = 503; res.end('The dashboard is starting.'); });
});
const listening = new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, hostname, () => resolve());
});

const ready = (async () => {
  await listening;
  const createNext = next.default ?? next;
  const app = createNext({ dev: false, dir: dirname(fileURLToPath(import.meta.url)), hostname: hostname ?? 'localhost', port: server.address().port });
  await app.prepare();
  handle = app.getRequestHandler();
})();

try {
  await ready;
} catch (err) {
  console.error(err);
  process.exit(1);
}
const shown = hostname && hostname !== '0.0.0.0' && hostname !== '::' ? hostname : 'localhost';
console.log(`   ▲ Paddock dashboard (Next.js)\n   - Local:        http://${shown}:${server.address().port}\n   - Proxy hops:   ${hops}\n\n ✓ Ready in ${Date.now() - t0}ms`);

// As `next start` does: stop at once (a browser retries what was cut).
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
