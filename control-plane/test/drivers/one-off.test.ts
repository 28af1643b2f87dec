import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DockerDriver } from '../../src/drivers/docker.js';
import { EXEC_TAIL_CHARS, EXEC_TAIL_LINES, KILLED_EXIT_CODE, type Driver, type LogLine, type ReplicaSpec } from '../../src/drivers/driver.js';
import { ProcessDriver } from '../../src/drivers/process.js';
import { ensureBaseImage } from '../../src/images/base-image.js';
import { runtimePackageDir } from '../../src/images/runtime-image.js';

const site = `oneoff${randomBytes(3).toString('hex')}`;
const docker = new DockerDriver({ namePrefix: 'pdk-test' });
const proc = new ProcessDriver({ runtimeDir: runtimePackageDir(), warn: () => undefined });
after(() => docker.removeSite(site));

async function spec(driver: Driver, script: string): Promise<ReplicaSpec> {
  const image = driver.kind === 'docker' ? (await ensureBaseImage(docker.docker)).ref : '';
  return { site, release: 'r1', replica: 0, image, command: ['-e', script], env: {}, port: 8000, limits: { memoryMb: 96, cpus: 0.5, pids: 64 } };
}

/** Running (not a zombie waiting for its parent to collect it). */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^\d+ \(.*\) [ZX] /.test(stat);
}

// Starts a child of its own (which the kill must take too), says so, then runs until killed.
const endless = "const c=require('child_process').spawn(process.execPath,['-e','setInterval(()=>{},1000)'],{stdio:'ignore'});"
  + "console.log('child '+c.pid);setInterval(()=>{},1000)";

for (const driver of [proc, docker]) {
  test(`aborting a one-off on the ${driver.kind} driver stops it (and what it started) within a second and leaves nothing behind`, async () => {
    const ac = new AbortController();
    let abortedAt = 0;
    let childPid = 0;
    const r = await driver.exec(await spec(driver, endless), {
      timeoutMs: 60_000, signal: ac.signal,
      onLine: (l) => {
        const pid = /^child (\d+)$/.exec(l.line)?.[1];
        if (pid && !abortedAt) { childPid = Number(pid); abortedAt = Date.now(); ac.abort(); }
      },
    });
    const took = Date.now() - abortedAt;
    assert.ok(abortedAt, 'the one-off started and printed its child');
    assert.ok(took < 1500, `stopped ${took} ms after the abort`);
    assert.deepEqual({ exitCode: r.exitCode, aborted: r.aborted, timedOut: r.timedOut }, { exitCode: KILLED_EXIT_CODE, aborted: true, timedOut: false });
    if (driver.kind === 'process') {
      // Its own child was in its process group: gone too (give the kernel a moment to deliver the signal).
      for (let i = 0; i < 20 && await alive(childPid); i++) await new Promise((res) => setTimeout(res, 25));
      assert.equal(await alive(childPid), false, 'the one-off\'s child was killed with it');
    } else {
      const left = await docker.docker.listContainers({ all: true, filters: { label: ['paddock.role=oneoff', `paddock.site=${site}`] } });
      assert.deepEqual(left.map((c) => c.Names), [], 'its container was removed');
    }
  });

  test(`an already aborted one-off on the ${driver.kind} driver does not start`, async () => {
    const ac = new AbortController();
    ac.abort();
    const lines: LogLine[] = [];
    const r = await driver.exec(await spec(driver, "console.log('ran')"), { signal: ac.signal, onLine: (l) => lines.push(l) });
    assert.equal(r.aborted, true);
    assert.deepEqual(lines, []);
  });

  test(`a one-off on the ${driver.kind} driver that prints a lot keeps only the end of it, while onLine sees every line`, async () => {
    const n = 20_000;
    // Many lines, then one line larger than the whole budget, then a last one.
    const script = `for(let i=0;i<${n};i++)console.log('line '+i);console.log('x'.repeat(${EXEC_TAIL_CHARS * 3}));console.log('done')`;
    let seen = 0;
    let last = '';
    const r = await driver.exec(await spec(driver, script), { timeoutMs: 60_000, onLine: (l) => { seen++; last = l.line; } });
    assert.equal(r.exitCode, 0);
    assert.equal(last, 'done');
    assert.ok(seen >= n + 2, `onLine saw ${seen} lines`);
    assert.ok(r.output.length <= EXEC_TAIL_LINES, `${r.output.length} lines kept`);
    assert.ok(r.output.reduce((s, l) => s + l.line.length, 0) <= EXEC_TAIL_CHARS, 'kept characters are bounded');
    assert.equal(r.output.at(-1)?.line, 'done', 'the end is what is kept');
    assert.equal(r.dropped + r.output.length, seen, 'what was left out is counted');
  });
}
