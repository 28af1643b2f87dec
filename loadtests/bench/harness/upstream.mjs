// The baseline every proxy and framework is compared with: a raw node:http hello world.
import { createServer } from 'node:http';
import { startProcess } from './process.mjs';

const serverSource = (body) => `
const http = require('node:http');
const body = Buffer.from(${JSON.stringify(body)});
const srv = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
srv.keepAliveTimeout = 65000;
srv.listen(0, '127.0.0.1', () => console.log('listening ' + srv.address().port));
process.on('SIGTERM', () => process.exit(0));
`;

/**
 * Starts the hello-world server in its own process (so it does not share a CPU with the harness)
 * on a free port. Resolves with { url, port, pid, stop() }. `inProcess: true` serves from this
 * process instead (for tests of the harness itself).
 */
export async function helloUpstream({ body = 'hello world\n', inProcess = false } = {}) {
  if (inProcess) {
    const buf = Buffer.from(body);
    const srv = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': buf.length });
      res.end(buf);
    });
    await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const { port } = srv.address();
    return {
      url: `http://127.0.0.1:${port}/`, port, pid: process.pid,
      stop: () => new Promise((resolve) => { srv.closeAllConnections(); srv.close(() => resolve()); }),
    };
  }
  const proc = await startProcess(process.execPath, ['-e', serverSource(body)], {
    name: 'node:http hello world', ready: /listening (\d+)/,
  });
  const port = Number(proc.match[1]);
  return { url: `http://127.0.0.1:${port}/`, port, pid: proc.pid, stop: () => proc.stop(), process: proc };
}
