// Upload progress: a redrawn bar on a terminal, a few plain lines otherwise (logs, CI).
import type { Output } from './output.js';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export class ProgressBar {
  private last = 0;
  private lastStep = -1;
  private done = false;

  constructor(private readonly out: Output, private readonly label: string, private readonly total: number) {}

  update(bytes: number): void {
    if (this.done) return;
    const fraction = this.total > 0 ? Math.min(1, bytes / this.total) : 1;
    const pct = Math.floor(fraction * 100);
    if (this.out.fancy) {
      const now = Date.now();
      if (now - this.last < 50 && fraction < 1) return;
      this.last = now;
      const width = 30;
      const filled = Math.round(fraction * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      this.out.streams.stderr.write(`\r${this.label} ${bar} ${String(pct).padStart(3)}% ${formatBytes(bytes)}/${formatBytes(this.total)}\u001b[K`);
    } else {
      // Plain: one line per quarter, so a CI log shows that it moves without flooding.
      const step = Math.floor(pct / 25);
      if (step > this.lastStep) {
        this.lastStep = step;
        this.out.info(`${this.label} ${pct}% (${formatBytes(bytes)} of ${formatBytes(this.total)})`);
      }
    }
  }

  finish(): void {
    if (this.done) return;
    this.update(this.total);
    this.done = true;
    if (this.out.fancy) this.out.streams.stderr.write('\n');
  }

  /** Ends the bar's line without claiming completion (the upload failed). */
  abort(): void {
    if (!this.done && this.out.fancy) this.out.streams.stderr.write('\n');
    this.done = true;
  }
}
