// Free loopback ports for subjects that cannot listen on port 0 and report it (nginx, HAProxy).
import { createServer } from 'node:net';

/**
 * A port that was free a moment ago. Another process may take it before the caller binds it,
 * so callers that can retry on EADDRINUSE should.
 */
export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
