// Where the CLI writes: human text by default, JSON with --json; colours and progress bars only
// on a terminal, and never with NO_COLOR, --no-color or TERM=dumb.
import type { Writable } from 'node:stream';

export interface Streams {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
}

export interface OutputOptions {
  json: boolean;
  noColor: boolean;
  env: NodeJS.ProcessEnv;
}

type Paint = (text: string) => string;

const codes = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] } as const;

export class Output {
  readonly json: boolean;
  /** True when stderr is a terminal that may get colours, spinners and redrawn progress bars. */
  readonly fancy: boolean;
  readonly bold: Paint;
  readonly dim: Paint;
  readonly red: Paint;
  readonly green: Paint;
  readonly yellow: Paint;
  readonly cyan: Paint;

  constructor(readonly streams: Streams, opts: OutputOptions) {
    this.json = opts.json;
    const env = opts.env;
    const colourAllowed = !opts.noColor && env.NO_COLOR === undefined && env.TERM !== 'dumb';
    this.fancy = colourAllowed && Boolean(streams.stderr.isTTY);
    const stdoutColour = colourAllowed && (Boolean(streams.stdout.isTTY) || env.FORCE_COLOR === '1');
    const paint = (name: keyof typeof codes): Paint => {
      const [open, close] = codes[name];
      return stdoutColour ? (t) => `\u001b[${open}m${t}\u001b[${close}m` : (t) => t;
    };
    this.bold = paint('bold');
    this.dim = paint('dim');
    this.red = paint('red');
    this.green = paint('green');
    this.yellow = paint('yellow');
    this.cyan = paint('cyan');
  }

  /** A line of the command's result on stdout (suppressed in --json mode, where data() speaks). */
  line(text = ''): void {
    if (!this.json) this.streams.stdout.write(`${text}\n`);
  }

  /** Progress and chatter: stderr, so stdout stays clean for pipes and --json. */
  info(text: string): void {
    this.streams.stderr.write(`${text}\n`);
  }

  success(text: string): void {
    if (!this.json) this.streams.stdout.write(`${this.green('✓')} ${text}\n`);
  }

  warn(text: string): void {
    this.streams.stderr.write(`${this.yellow('!')} ${text}\n`);
  }

  /** The command's data: JSON on stdout with --json, else rendered by `human`. */
  data(value: unknown, human: () => void): void {
    if (this.json) this.streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else human();
  }

  /** A plain table: a header row and left-aligned columns, no borders (greppable). */
  table<T>(rows: readonly T[], columns: ReadonlyArray<readonly [header: string, cell: (row: T) => string]>): void {
    const cells = rows.map((r) => columns.map(([, cell]) => cell(r)));
    const widths = columns.map(([h], i) => Math.max(h.length, ...cells.map((c) => visibleLength(c[i] ?? ''))));
    const fmt = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : pad(c, widths[i] ?? 0))).join('  ').trimEnd();
    this.line(this.bold(fmt(columns.map(([h]) => h))));
    for (const c of cells) this.line(fmt(c));
  }

  /** Key/value lines, aligned. */
  fields(pairs: ReadonlyArray<readonly [string, string | number | null | undefined]>): void {
    const w = Math.max(...pairs.map(([k]) => k.length));
    for (const [k, v] of pairs) this.line(`${this.dim(`${k}:`.padEnd(w + 1))} ${v ?? '—'}`);
  }
}

function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}

function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - visibleLength(s)));
}
