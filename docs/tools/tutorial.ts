// Runs the tutorial as a reader would, page by page: writes every file it shows, types every command it shows
// (through the real `paddock` and `paddock-runtime` binaries, in a shell), opens every page it shows, and compares
// what happens with what the page says. With `update`, the real output of each command is written back into the page.
//
// What the pages hold (the attributes after the language are invisible to readers):
//   ```ts file=polls/models.ts```          write this file (relative to the current folder)
//   ```ts check=polls/migrations/0001_initial.ts```  this file must hold exactly this (generated code)
//   ```console```                          `$ command` lines, each followed by its output; run in order
//   ```console tty answers="a|b"```        run on a terminal, typing `a`, then `b`, at its prompts
//   ```html fetch=http://localhost:8000/polls/```   open the page; its HTML must contain this fragment
//                                          (`…` stands for anything); method=POST data="k=v&k2=v2" submits a
//                                          form (with the CSRF token, as a browser would); status=404 expects that status
//   any block with `norun` is left alone.
// `paddock dev` runs in the background until the next command (as when you stop it with Ctrl-C to run another one),
// and is started again when a page is opened. Times, sizes, ids and dates may differ from the page; the rest must not.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { codeBlocks, replaceBlock, type CodeBlock } from './blocks.js';

export interface Mismatch {
  page: string;
  /** 1-based line of the block in the page. */
  line: number;
  what: string;
  expected: string;
  actual: string;
}

/** The platform the deploy part talks to (started by the caller, on demand). */
export interface TutorialPlatform {
  /** The API's address (`PADDOCK_API`); shown in the pages as the dev default, http://localhost:4000. */
  api: string;
  /** Where the edge answers (shown as 8080), and the site name the pages' `mysite` stands for there. */
  edgePort: number;
  siteName: string;
}

export interface TutorialOptions {
  /** The repository checkout whose binaries run the tutorial. */
  repoRoot: string;
  /** An empty folder: the reader's home. */
  home: string;
  /** Called once, the first time a command needs the platform (`paddock signup`, ...). */
  platform?: () => Promise<TutorialPlatform>;
  /** Write real command output into the pages instead of reporting differences. */
  update?: boolean;
  /** Progress, one line per step. */
  log?: (line: string) => void;
  /** The CLI and the runtime from their sources (when their dist/ is missing or stale). */
  fromSource?: { cli: boolean; runtime: boolean };
}

/** The home folder the pages show; the reader's real home is replaced by it in outputs. */
export const DOC_HOME = '/home/you';
export const DOC_API = 'http://localhost:4000';
export const DOC_SITE = 'mysite';
export const DOC_EDGE_PORT = 8080;
const DEV_PORT = 8000;

/** The tutorial's pages in reading order (tutorial/01-*.md, 02-*.md, ...). */
export function tutorialPages(docsDir: string): string[] {
  const dir = join(docsDir, 'tutorial');
  return readdirSync(dir).filter((f) => /^\d\d-.*\.md$/.test(f)).sort().map((f) => join(dir, f));
}

// ---------------------------------------------------------------- output comparison

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;

/** What may differ between two runs: masked on both sides before comparing. */
const VOLATILE: Array<[RegExp, string]> = [
  [/\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?/g, '<time>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uuid>'],
  [/\b\d+(\.\d+)? ?(ms|s|seconds?|KB|kB|KiB|MB|MiB|B|bytes)\b/g, '<n unit>'],
  [/\b[0-9a-f]{12,}\b/g, '<hex>'],
  [/\b[A-Za-z0-9_-]{32,}\b/g, '<token>'],
  [/\bv\d+\.\d+\.\d+\b/g, '<version>'],
  // The test runner's summary and Node's own stack frames (their lines move between Node releases).
  [/\bduration_ms \d+(\.\d+)?/g, 'duration_ms <n>'],
  [/\(node:internal\/[^)]*:\d+:\d+\)/g, '(node:internal)'],
];

export function mask(text: string): string {
  let out = text;
  for (const [re, to] of VOLATILE) out = out.replace(re, to);
  return out;
}

/** Normalises text for comparing: no colours, no trailing spaces, no trailing blank lines. */
export function tidy(text: string): string {
  return text.replace(ANSI, '').replace(/\r\n?/g, '\n').split('\n').map((l) => l.trimEnd()).join('\n').replace(/\n+$/, '');
}

/** An HTML fragment as a pattern: whitespace runs are one space, none between tags, `…` matches anything. */
function fragmentPattern(fragment: string): RegExp {
  const squeeze = (s: string) => s.replace(/\s+/g, ' ').replace(/>\s+</g, '><').trim();
  const parts = squeeze(fragment).split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(parts.join('[\\s\\S]*?'));
}

function squeezeHtml(html: string): string {
  return html.replace(/\s+/g, ' ').replace(/>\s+</g, '><');
}

// ---------------------------------------------------------------- console blocks

interface Step { command: string; expected: string }

/** `$ cmd` lines and the output under each. */
export function consoleSteps(content: string): Step[] {
  const steps: Step[] = [];
  for (const line of content.replace(/\n$/, '').split('\n')) {
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), expected: '' });
    else if (steps.length) {
      const s = steps[steps.length - 1] as Step;
      s.expected += (s.expected ? '\n' : '') + line;
    }
  }
  for (const s of steps) s.expected = s.expected.replace(/\n+$/, '');
  return steps;
}

function consoleContent(steps: Step[]): string {
  return `${steps.map((s) => [`$ ${s.command}`, ...(s.expected ? [s.expected] : [])].join('\n')).join('\n')}\n`;
}

// ---------------------------------------------------------------- a small browser

interface Page { status: number; url: string; body: string }

/** One HTTP exchange through node:http (fetch() cannot set Host, which the edge routes by). */
function exchange(url: string, opts: { method: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolveExchange, reject) => {
    const req = httpRequest(url, { method: opts.method, headers: opts.headers, agent: false, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolveExchange({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within 30 s`)));
    req.end(opts.body);
  });
}

class Browser {
  /** Cookies by site (the host the browser thinks it talks to). */
  readonly jars = new Map<string, Map<string, string>>();

  async open(url: string, opts: { method?: string; data?: string; host?: string } = {}): Promise<Page> {
    const site = opts.host ?? 'localhost';
    const cookies = this.jars.get(site) ?? new Map<string, string>();
    this.jars.set(site, cookies);
    let method = opts.method ?? 'GET';
    let body: string | undefined;
    if (method === 'POST') {
      const form = new URLSearchParams(opts.data ?? '');
      const csrf = cookies.get('csrftoken');
      if (csrf && !form.has('csrfmiddlewaretoken')) form.set('csrfmiddlewaretoken', csrf);
      body = form.toString();
    }
    let current = url;
    for (let hops = 0; hops < 10; hops++) {
      const headers: Record<string, string> = {};
      if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      if (opts.host) headers.host = opts.host;
      if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await exchange(current, { method, headers, body });
      for (const line of res.headers['set-cookie'] ?? []) {
        const [pair = ''] = line.split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        if (/max-age=0\b|expires=Thu, 01 Jan 1970/i.test(line)) cookies.delete(name);
        else cookies.set(name, value);
      }
      const location = res.headers.location;
      if (res.status >= 300 && res.status < 400 && location) {
        current = new URL(location, current).href;
        method = 'GET';
        body = undefined;
        continue;
      }
      return { status: res.status, url: current, body: res.body };
    }
    throw new Error(`More than 10 redirects from ${url}.`);
  }
}

// ---------------------------------------------------------------- the runner

interface Background { command: string; cwd: string; child: ChildProcess; output: string; port: number; docPort: number }

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export class TutorialRunner {
  readonly mismatches: Mismatch[] = [];
  private cwd: string;
  private readonly bin: string;
  private server: Background | null = null;
  /** The last server command, started again when a page is opened after it was stopped. */
  private lastServer: { command: string; cwd: string } | null = null;
  private readonly browser = new Browser();
  private platformInfo: TutorialPlatform | null = null;
  private readonly ports = new Map<number, number>();
  /** Files changed since the server started: it is restarted before the next page is opened (as its reloader would). */
  private changed = false;

  constructor(private readonly opts: TutorialOptions) {
    this.cwd = opts.home;
    this.bin = join(opts.home, '.tutorial-bin');
    mkdirSync(this.bin, { recursive: true });
    const node = process.execPath;
    for (const [name, script] of [['paddock', 'cli/bin/paddock.mjs'], ['paddock-runtime', 'runtime/bin/paddock-runtime.mjs']] as const) {
      const file = join(this.bin, name);
      writeFileSync(file, `#!/bin/sh\nexec ${shellQuote(node)} ${shellQuote(join(opts.repoRoot, script))} "$@"\n`);
      chmodSync(file, 0o755);
    }
  }

  private log(line: string): void { this.opts.log?.(line); }

  private env(): Record<string, string> {
    const env: Record<string, string> = {
      PATH: `${this.bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: this.opts.home,
      XDG_CONFIG_HOME: join(this.opts.home, '.config'),
      NO_COLOR: '1',
      TERM: 'dumb',
      LANG: 'C.UTF-8',
    };
    if (this.opts.fromSource?.cli) env.PADDOCK_CLI_FROM_SOURCE = '1';
    if (this.opts.fromSource?.runtime) env.PADDOCK_RUNTIME_FROM = 'source';
    if (this.platformInfo) env.PADDOCK_API = this.platformInfo.api;
    return env;
  }

  /** Real output as the page shows it: the reader's home, the platform's address and names as in the pages. */
  private toDoc(text: string): string {
    let out = tidy(text).replaceAll(this.opts.home, DOC_HOME);
    const p = this.platformInfo;
    if (p) {
      out = out.replaceAll(p.api, DOC_API).replaceAll(p.siteName, DOC_SITE).replaceAll(`:${p.edgePort}`, `:${DOC_EDGE_PORT}`);
    }
    for (const [real, doc] of this.ports) out = out.replaceAll(`:${real}`, `:${doc}`);
    return out;
  }

  /** A command as it runs here: the pages' site name and ports replaced by this run's. */
  private toReal(command: string): string {
    let out = command;
    const p = this.platformInfo;
    if (p && /\bsites:create\b/.test(out)) out = out.replace(new RegExp(`\\b${DOC_SITE}\\b`), p.siteName);
    return out;
  }

  private async needPlatform(command: string): Promise<void> {
    if (this.platformInfo || !/^paddock (signup|login|sites|push|open|domains|run|info|logs|env|releases)/.test(command)) return;
    if (!this.opts.platform) throw new Error(`"${command}" needs a platform, and none was given to the tutorial runner.`);
    this.platformInfo = await this.opts.platform();
  }

  async runPage(file: string): Promise<void> {
    const name = file.slice(file.lastIndexOf('/docs/') + 1);
    let source = readFileSync(file, 'utf8');
    const blocks = codeBlocks(source);
    const updates: Array<{ index: number; content: string }> = [];
    for (const [index, block] of blocks.entries()) {
      if ('norun' in block.attrs) continue;
      const at = { page: name, line: block.start + 1 };
      if (block.attrs.file) this.writeFile(block);
      else if (block.attrs.check) this.checkFile(block, at, (content) => updates.push({ index, content }));
      else if (block.attrs.fetch) await this.openPage(block, at);
      else if (block.lang === 'console') {
        const content = await this.runConsole(block, at);
        if (content !== null) updates.push({ index, content });
      }
    }
    if (this.opts.update && updates.length) {
      // Later blocks first, so earlier line numbers stay valid.
      for (const u of updates.sort((a, b) => b.index - a.index)) source = replaceBlock(source, blocks[u.index] as CodeBlock, u.content);
      writeFileSync(file, source);
      this.log(`updated ${updates.length} block(s) of ${name}`);
    }
  }

  private writeFile(block: CodeBlock): void {
    const path = resolve(this.cwd, block.attrs.file as string);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, block.content);
    this.changed = true;
    this.log(`wrote ${block.attrs.file}`);
  }

  private checkFile(block: CodeBlock, at: { page: string; line: number }, update: (content: string) => void): void {
    const path = resolve(this.cwd, block.attrs.check as string);
    const actual = existsSync(path) ? readFileSync(path, 'utf8') : '(missing)';
    if (tidy(actual) === tidy(block.content)) return;
    if (this.opts.update && existsSync(path)) update(actual);
    else this.mismatches.push({ ...at, what: `the file ${block.attrs.check}`, expected: block.content, actual });
  }

  private async runConsole(block: CodeBlock, at: { page: string; line: number }): Promise<string | null> {
    const steps = consoleSteps(block.content);
    const answers = block.attrs.answers?.split('|') ?? [];
    let changed = false;
    for (const step of steps) {
      const cd = /^cd\s+(\S+)$/.exec(step.command);
      if (cd) {
        this.cwd = resolve(this.cwd, cd[1] as string);
        continue;
      }
      await this.needPlatform(step.command);
      let actual: string;
      if (/^paddock dev\b|^paddock-runtime serve\b/.test(step.command)) {
        actual = await this.startServer(step.command, this.cwd);
        // A server goes on printing: the page shows how it starts.
        const shown = step.expected.split('\n').length;
        actual = actual.split('\n').slice(0, shown).join('\n');
      } else {
        await this.stopServer();
        const r = await this.run(step.command, { tty: 'tty' in block.attrs, answers, expectCode: Number(block.attrs.exit ?? 0) });
        actual = r.output;
        if (r.code !== Number(block.attrs.exit ?? 0)) {
          // Never written into the page: a command that fails where the page says it succeeds is a bug to fix.
          this.mismatches.push({ ...at, what: `the exit code of \`${step.command}\``, expected: String(block.attrs.exit ?? 0), actual: `${r.code}\n${this.toDoc(actual)}` });
          continue;
        }
      }
      const doc = this.toDoc(actual);
      if (mask(doc) !== mask(tidy(step.expected))) {
        if (this.opts.update) {
          step.expected = doc;
          changed = true;
        } else {
          this.mismatches.push({ ...at, what: `the output of \`${step.command}\``, expected: step.expected, actual: doc });
        }
      }
    }
    return changed ? consoleContent(steps) : null;
  }

  /** Runs one command line in a shell, stdout and stderr interleaved as on a terminal. */
  private run(command: string, opts: { tty: boolean; answers: string[]; expectCode: number }): Promise<{ code: number; output: string }> {
    const real = this.toReal(command);
    this.log(`$ ${command}`);
    const shell = opts.tty
      ? spawn('script', ['--quiet', '--return', '--flush', '--echo', 'never', '--command', real, '/dev/null'], { cwd: this.cwd, env: { ...this.env(), TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn('bash', ['-c', `${real} 2>&1`], { cwd: this.cwd, env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((resolveRun, reject) => {
      let output = '';
      const answers = [...opts.answers];
      const timer = setTimeout(() => shell.kill('SIGKILL'), 180_000);
      const onData = (d: Buffer) => {
        output += d.toString();
        // On a terminal, answer each prompt (a line ending in ': ' with nothing after it yet).
        if (opts.tty && answers.length && /: $/.test(output)) shell.stdin?.write(`${answers.shift()}\r`);
      };
      shell.stdout?.on('data', onData);
      shell.stderr?.on('data', onData);
      shell.on('error', reject);
      shell.on('close', (code) => {
        clearTimeout(timer);
        resolveRun({ code: code ?? 1, output });
      });
    });
  }

  private async startServer(command: string, cwd: string): Promise<string> {
    await this.stopServer();
    const docPort = Number(/--port[ =](\d+)|-p (\d+)/.exec(command)?.slice(1).find(Boolean) ?? DEV_PORT);
    const port = await freePort();
    this.ports.set(port, docPort);
    const real = `${command.replace(/\s+(--port[ =]|-p )\d+/, '')} --port ${port}`;
    this.log(`$ ${command}   (background, port ${port})`);
    const child = spawn('bash', ['-c', `exec ${real} 2>&1`], { cwd, env: this.env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const server: Background = { command, cwd, child, output: '', port, docPort };
    child.stdout?.on('data', (d: Buffer) => { server.output += d.toString(); });
    this.server = server;
    this.lastServer = { command, cwd };
    this.changed = false;
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`\`${command}\` exited (${child.exitCode}) before it served a page:\n${server.output}`);
      try {
        await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual', signal: AbortSignal.timeout(2000) }).then((r) => r.arrayBuffer());
        return server.output;
      } catch {
        if (Date.now() > deadline) throw new Error(`\`${command}\` did not answer within 90 s:\n${server.output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async stopServer(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = null;
    if (s.child.exitCode !== null || s.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => s.child.once('exit', () => r()));
    try { process.kill(-(s.child.pid as number), 'SIGINT'); } catch { /* gone already */ }
    const timer = setTimeout(() => { try { process.kill(-(s.child.pid as number), 'SIGKILL'); } catch { /* gone */ } }, 15_000);
    await exited;
    clearTimeout(timer);
  }

  private async openPage(block: CodeBlock, at: { page: string; line: number }): Promise<void> {
    const url = new URL(block.attrs.fetch as string);
    let target: string;
    let host: string | undefined;
    const p = this.platformInfo;
    if (url.hostname === `${DOC_SITE}.localhost`) {
      if (!p) throw new Error(`${at.page}:${at.line} opens the deployed site before the tutorial deployed it.`);
      target = `http://127.0.0.1:${p.edgePort}${url.pathname}${url.search}`;
      host = `${p.siteName}.localhost`;
    } else {
      if ((!this.server || this.changed) && this.lastServer) await this.startServer(this.lastServer.command, this.lastServer.cwd);
      if (!this.server) throw new Error(`${at.page}:${at.line} opens ${url.href}, but no \`paddock dev\` was started before it.`);
      target = `http://127.0.0.1:${this.server.port}${url.pathname}${url.search}`;
    }
    this.log(`open ${block.attrs.method ?? 'GET'} ${url.href}`);
    const page = await this.browser.open(target, { method: block.attrs.method, data: block.attrs.data, host });
    const wantStatus = Number(block.attrs.status ?? 200);
    const body = squeezeHtml(page.body);
    if (page.status !== wantStatus || !fragmentPattern(block.content).test(body)) {
      this.mismatches.push({ ...at, what: `the page ${url.href} (${page.status}, ${page.url})`, expected: block.content, actual: page.body });
    }
  }

  async close(): Promise<void> {
    await this.stopServer();
  }
}

/** The mismatches as one readable report. */
export function formatMismatches(list: readonly Mismatch[]): string {
  return list.map((m) => `${m.page}:${m.line}: ${m.what} differs.\n--- the page says\n${m.expected}\n--- it was\n${m.actual.slice(0, 4000)}`).join('\n\n');
}
