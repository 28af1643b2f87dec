// Turns the engine's multiplexed log stream (8-byte frame headers, stdout and stderr interleaved,
// each line prefixed by an RFC 3339 timestamp) into LogLine values, as an async iterable.
import type { LogLine } from './driver.js';
import { lineSplitter } from '../line-splitter.js';

/** A push-to-pull queue: producers call push/end, one consumer iterates. */
export class LineQueue implements AsyncIterable<LogLine> {
  private items: LogLine[] = [];
  private waiting: ((r: IteratorResult<LogLine>) => void) | undefined;
  private done = false;
  private failure: Error | undefined;
  private waitingReject: ((e: Error) => void) | undefined;
  onClose: (() => void) | undefined;

  push(l: LogLine): void {
    if (this.done) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: l, done: false });
    } else this.items.push(l);
  }

  end(err?: Error): void {
    if (this.done) return;
    this.done = true;
    this.failure = err;
    if (this.waiting) {
      const w = this.waiting;
      const rej = this.waitingReject;
      this.waiting = undefined;
      if (err && rej) rej(err);
      else w({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<LogLine> {
    return {
      next: () => {
        const item = this.items.shift();
        if (item) return Promise.resolve({ value: item, done: false });
        if (this.done) return this.failure ? Promise.reject(this.failure) : Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          this.waiting = resolve;
          this.waitingReject = reject;
        });
      },
      return: () => {
        this.end();
        this.onClose?.();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

function timestamped(stream: LogLine['stream'], raw: string): LogLine {
  const space = raw.indexOf(' ');
  const at = space > 0 ? new Date(raw.slice(0, space)) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) return { stream, at: new Date(), line: raw };
  return { stream, at, line: raw.slice(space + 1) };
}

/** Feeds a multiplexed engine stream (or a whole buffer of one) into the queue. */
export function demultiplex(queue: LineQueue, source: NodeJS.ReadableStream | Buffer): void {
  const out = lineSplitter((l) => queue.push(timestamped('stdout', l)));
  const err = lineSplitter((l) => queue.push(timestamped('stderr', l)));
  let pending: Buffer = Buffer.alloc(0);
  const feed = (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) break;
      const payload = pending.subarray(8, 8 + size);
      (pending[0] === 2 ? err : out).push(payload);
      pending = pending.subarray(8 + size);
    }
  };
  const finish = (e?: Error) => {
    out.end();
    err.end();
    queue.end(e);
  };
  if (Buffer.isBuffer(source)) {
    feed(source);
    finish();
    return;
  }
  source.on('data', (c: Buffer) => feed(c));
  source.on('end', () => finish());
  source.on('close', () => finish());
  source.on('error', (e: Error) => finish(e));
}
