import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ProcessDriver } from '../../src/drivers/process.js';
import { runtimePackageDir } from '../../src/images/runtime-image.js';
import { probe, waitHealthy } from '../../src/drivers/health-check.js';

const warnings: string[] = [];
const driver = new ProcessDriver({ runtimeDir: runtimePackageDir(), warn: (m) => warnings.push(m) });
after(() => driver.removeSite('proc'));

test('the process driver says it is not an isolation boundary', () => {
  assert.equal(driver.isolates, false);
  assert.match(warnings.join(' '), /NOT an isolation boundary/);
});

test('the process driver runs, pauses, resumes and stops a replica and keeps its output', async () => {
  const script = "require('http').createServer((q,s)=>{console.log('hit',q.url);s.end('proc '+process.env.GREETING)}).listen(process.env.PORT,'127.0.0.1')";
  const r = await driver.start((await driver.create({
    site: 'proc', release: 'v1', replica: 0, image: '', command: ['-e', script], env: { GREETING: 'hi' }, port: 8000, limits: { memoryMb: 64, cpus: 1, pids: 32 },
  })).id);
  assert.ok(r.address);
  const url = `http://${r.address.host}:${r.address.port}/x`;
  assert.equal((await waitHealthy(url, { timeoutMs: 10_000 })).body, 'proc hi');
  await driver.pause(r.id);
  assert.equal((await driver.inspect(r.id)).status, 'paused');
  await assert.rejects(probe(url, 300));
  assert.equal(await driver.resume(r.id), 'unpaused');
  assert.equal((await probe(url, 2000)).status, 200);
  const lines: string[] = [];
  for await (const l of driver.logs(r.id)) lines.push(l.line);
  assert.ok(lines.includes('hit /x'), lines.join('|'));
  const once = await driver.exec({ site: 'proc', release: 'v1', replica: 0, image: '', command: ['-e', 'console.log(42); process.exit(3)'], env: {}, port: 0, limits: { memoryMb: 64, cpus: 1, pids: 32 } });
  assert.equal(once.exitCode, 3);
  assert.deepEqual(once.output.map((l) => l.line), ['42']);
  await driver.stop(r.id, 1);
  assert.equal((await driver.inspect(r.id)).status, 'exited');
});

test('an interactive one-off on the process driver reads its stdin from a pipe and writes raw output until its input ends', async () => {
  const input = new PassThrough();
  let output = '';
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => { output += c.toString(); });
  // Echoes each line doubled, both streams, and exits 5 at end of input.
  const script = "process.stdin.on('data',(d)=>{process.stdout.write('out:'+d);process.stderr.write('err:'+d)});process.stdin.on('end',()=>process.exit(5))";
  const run = driver.exec({ site: 'proc', release: 'v1', replica: 0, image: '', command: ['-e', script], env: {}, port: 0, limits: { memoryMb: 64, cpus: 1, pids: 32 } },
    { stdio: { input, output: sink }, timeoutMs: 20_000 });
  input.write('1+1\n');
  const until = Date.now() + 10_000;
  while (!/err:1\+1/.test(output) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  input.end();
  const r = await run;
  assert.equal(r.exitCode, 5);
  assert.match(output, /out:1\+1\n/);
  assert.match(output, /err:1\+1\n/);
  assert.deepEqual(r.output, [], 'raw output does not go to the line tail');
});
