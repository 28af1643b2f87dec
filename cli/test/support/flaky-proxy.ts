// Test support: a TCP proxy in front of the real API that cuts deploy uploads mid-way — the
// "network error while uploading" a user on a bad connection gets.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface FlakyProxy {
  url: string;
  /** How many of the next uploads to cut (Infinity: all). */
  cutUploads: number;
  /** Uploads that were cut so far. */
  cut: number;
  close(): Promise<void>;
}

export async function flakyProxy(target: string): Promise<FlakyProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const state: FlakyProxy = { url: '', cutUploads: 0, cut: 0, close: async () => undefined };
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    let seen = '';
    let uploadBytes = -1;
    client.on('data', (chunk: Buffer) => {
      if (uploadBytes < 0) {
        // Request lines start a chunk or follow the previous one: the start of each is enough.
        seen = seen.slice(-512) + chunk.toString('latin1', 0, Math.min(chunk.length, 4096));
        if (/POST \/v1\/sites\/[^/ ]+\/deploys /.test(seen) && state.cutUploads > 0) uploadBytes = 0;
      }
      if (uploadBytes >= 0) {
        uploadBytes += chunk.length;
        // Let part of the body through, then drop the connection as a flaky network would.
        if (uploadBytes > 2048) {
          state.cutUploads--;
          state.cut++;
          client.destroy();
          upstream.destroy();
          return;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address() as { port: number };
  state.url = `http://127.0.0.1:${address.port}`;
  state.close = () => new Promise<void>((r) => {
    for (const s of sockets) s.destroy();
    server.close(() => r());
  });
  return state;
}
