// An upgraded request (`paddock run` with a terminal) leaves the HTTP server's hands: its socket has none
// of the server's timeouts. Refused or answered upgrades must not be able to hold server sockets open.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { startTestPlatform, type TestPlatform } from './support/platform.js';

let t: TestPlatform;
before(async () => {
  t = await startTestPlatform();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => {
  await t?.close();
});

/** Sends a raw request on a client socket that never closes its own end; resolves with the answer's first line. */
function halfOpenRequest(port: number, text: string): Promise<{ socket: Socket; status: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let got = '';
    socket.on('data', (d) => { got += d; });
    socket.on('end', () => resolve({ socket, status: got.split('\r\n')[0] ?? '' }));
    socket.on('error', reject);
    socket.write(text);
  });
}

test('refused and answered upgrades do not keep server sockets open when the client never closes its end', async () => {
  const port = (t.app.server.address() as AddressInfo).port;
  const connections = promisify(t.app.server.getConnections.bind(t.app.server));
  const before = await connections();
  const body = '{"command":["shell"]}';
  const clients = await Promise.all([
    // Not logged in.
    halfOpenRequest(port, `POST /v1/sites/nope/run HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: paddock-run\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`),
    // A body framing the upgrade path refuses.
    halfOpenRequest(port, 'POST /v1/sites/nope/run HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: paddock-run\r\nTransfer-Encoding: chunked\r\n\r\n'),
    // Another kind of upgrade, answered as a plain request.
    halfOpenRequest(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n'),
  ]);
  try {
    assert.deepEqual(clients.map((c) => c.status.split(' ')[1]), ['401', '411', '200']);
    await new Promise((r) => setTimeout(r, 6_000));
    assert.equal(await connections(), before, 'every server-side socket is gone although no client closed its end');
  } finally {
    for (const c of clients) c.socket.destroy();
  }
});
