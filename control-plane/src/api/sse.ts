// Server-Sent Events on a Fastify reply: hijacks the reply, writes events, keeps the connection
// alive with comments, and tells the producer when the client goes away. A client that does not
// read cannot make the API buffer without bound: past a limit, output lines are dropped (and
// counted to the client once it catches up), and a client stalled too long is disconnected.
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Unread bytes a client may have before output lines are dropped for it. */
export const SSE_MAX_BUFFERED_BYTES = 1024 * 1024;
/** How long a client may stay past that limit without reading before it is disconnected. */
export const SSE_STALL_MS = 30_000;

export interface SseOptions {
  maxBufferedBytes?: number;
  stallMs?: number;
}

export interface SseChannel {
  /** Always written: for the few small events a client must see (results, errors). */
  send(event: string, data: unknown, id?: string): void;
  /**
   * An output line: dropped while the client has more than SSE_MAX_BUFFERED_BYTES unread; once
   * it catches up, an event of the same name `{"dropped":N}` says how many it missed.
   */
  sendLine(event: string, data: unknown, id?: string): void;
  /** Aborted when the client disconnects, or is disconnected for not reading. */
  signal: AbortSignal;
  end(): void;
}

export function openSse(request: FastifyRequest, reply: FastifyReply, opts: SseOptions = {}): SseChannel {
  const maxBuffered = opts.maxBufferedBytes ?? SSE_MAX_BUFFERED_BYTES;
  const stallMs = opts.stallMs ?? SSE_STALL_MS;
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(': stream open\n\n');
  const controller = new AbortController();
  // Per event name: lines dropped since the client fell behind.
  const dropped = new Map<string, number>();
  let stall: NodeJS.Timeout | undefined;
  const lagging = () => res.writableLength > maxBuffered;
  const clearStall = () => { if (stall) clearTimeout(stall); stall = undefined; };
  const watchStall = () => {
    if (stall || !lagging()) return;
    stall = setTimeout(() => {
      stall = undefined;
      if (!lagging()) return;
      request.log.warn({ buffered: res.writableLength }, 'SSE client stopped reading; disconnecting it');
      controller.abort();
      res.destroy();
    }, stallMs);
    stall.unref();
  };
  const write = (event: string, data: unknown, id?: string) => {
    res.write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    watchStall();
  };
  const caughtUp = () => {
    if (res.writableEnded || lagging()) return;
    clearStall();
    for (const [event, n] of dropped) write(event, { dropped: n });
    dropped.clear();
  };
  res.on('drain', caughtUp);
  const keepAlive = setInterval(() => { if (!lagging()) res.write(': keep-alive\n\n'); }, 15_000);
  const close = () => { clearInterval(keepAlive); clearStall(); controller.abort(); };
  request.raw.on('close', close);
  res.on('close', close);
  return {
    signal: controller.signal,
    send(event, data, id) {
      if (res.writableEnded || res.destroyed) return;
      write(event, data, id);
    },
    sendLine(event, data, id) {
      if (res.writableEnded || res.destroyed) return;
      if (lagging()) {
        dropped.set(event, (dropped.get(event) ?? 0) + 1);
        watchStall();
        return;
      }
      if (dropped.size) caughtUp();
      write(event, data, id);
    },
    end() {
      clearInterval(keepAlive);
      if (!res.writableEnded && !res.destroyed) caughtUp();
      clearStall();
      if (!res.writableEnded) res.end();
    },
  };
}
