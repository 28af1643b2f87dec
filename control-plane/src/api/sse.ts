// Server-Sent Events on a Fastify reply: hijacks the reply, writes events, keeps the connection
// alive with comments, and tells the producer when the client goes away.
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface SseChannel {
  send(event: string, data: unknown, id?: string): void;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
  end(): void;
}

export function openSse(request: FastifyRequest, reply: FastifyReply): SseChannel {
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
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  const close = () => { clearInterval(keepAlive); controller.abort(); };
  request.raw.on('close', close);
  res.on('close', close);
  return {
    signal: controller.signal,
    send(event, data, id) {
      if (res.writableEnded) return;
      res.write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      clearInterval(keepAlive);
      if (!res.writableEnded) res.end();
    },
  };
}
