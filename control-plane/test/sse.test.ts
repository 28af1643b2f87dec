// The SSE writer under a client that does not read: what the API buffers stays bounded, the
// client learns how many lines it missed, and one stalled too long is disconnected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type AddressInfo, type Socket } from 'node:net';
import Fastify from 'fastify';
import { openSse, type SseChannel } from '../src/api/sse.js';

const LIMIT = 64 * 1024;
const line = 'x'.repeat(1000);

interface Stream { sse: SseChannel; maxBuffered: number; sent: number; done: Promise<void> }

/** A server whose one route writes output lines as fast as it can until told to stop (or the client is gone). */
async function server(stallMs: number) {
  const app = Fastify();
  let resolveStream!: (s: Stream) => void;
  const stream = new Promise<Stream>((r) => { resolveStream = r; });
  let stop = false;
  app.get('/s', async (request, reply) => {
    const sse = openSse(request, reply, { maxBufferedBytes: LIMIT, stallMs });
    const s: Stream = { sse, maxBuffered: 0, sent: 0, done: Promise.resolve() };
    s.done = (async () => {
      while (!stop && !sse.signal.aborted) {
        sse.sendLine('message', { line });
        s.sent++;
        s.maxBuffered = Math.max(s.maxBuffered, reply.raw.writableLength);
        if (s.sent % 50 === 0) await new Promise((r) => setImmediate(r));
      }
      sse.send('message', { exitCode: 0 });
      sse.end();
    })();
    resolveStream(s);
    return reply;
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return { app, port, stream, stopProducing: () => { stop = true; } };
}

function open(port: number): Socket {
  const sock = connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  sock.write('GET /s HTTP/1.1\r\nhost: x\r\naccept: text/event-stream\r\n\r\n');
  return sock;
}

test('a client that stops reading loses lines, not API memory, and is told how many it missed', async () => {
  const s = await server(60_000);
  const sock = open(s.port);
  sock.pause(); // reads nothing for now
  const stream = await s.stream;
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(stream.sent > 2000, `the producer kept going (${stream.sent} lines)`);
  // The kernel's socket buffers hold some; what the API holds stays about the limit.
  assert.ok(stream.maxBuffered < LIMIT + 4 * 1024, `API buffered ${stream.maxBuffered} bytes`);
  let text = '';
  sock.on('data', (d: Buffer) => { text += d.toString(); });
  sock.resume();
  await new Promise((r) => setTimeout(r, 300));
  s.stopProducing();
  await stream.done;
  await new Promise((r) => setTimeout(r, 200));
  const events = [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as { line?: string; dropped?: number; exitCode?: number });
  const dropped = events.reduce((n, e) => n + (e.dropped ?? 0), 0);
  const lines = events.filter((e) => e.line).length;
  assert.ok(dropped > 0, 'a {"dropped":N} event says lines were missed');
  assert.equal(lines + dropped, stream.sent, 'every line is either delivered or counted as dropped');
  assert.deepEqual(events.at(-1), { exitCode: 0 }, 'the final event is always delivered');
  sock.destroy();
  await s.app.close();
});

test('a client stalled past the limit is disconnected and the producer told to stop', async () => {
  const s = await server(500);
  const sock = open(s.port);
  sock.pause();
  const stream = await s.stream;
  const t0 = Date.now();
  await new Promise<void>((resolve) => stream.sse.signal.addEventListener('abort', () => resolve(), { once: true }));
  assert.ok(Date.now() - t0 < 5_000, 'disconnected soon after the stall limit');
  await stream.done;
  const closed = new Promise((r) => sock.once('close', r));
  sock.resume();
  await closed;
  sock.destroy();
  await s.app.close();
});
