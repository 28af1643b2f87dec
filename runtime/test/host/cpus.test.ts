// How many workers `serve` starts: the CPUs the process may use, capped by its cgroups' CPU quota (a container's --cpus).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cgroupCpuQuota, defaultWorkers, usableCpus } from '../../src/host/cpus.js';

const root = mkdtempSync(join(tmpdir(), 'pdk-cgroup-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A made-up cgroup v2 tree: { 'a/b': '150000 100000' } writes a/b/cpu.max. */
function tree(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [path, max] of Object.entries(files)) {
    mkdirSync(join(dir, path), { recursive: true });
    writeFileSync(join(dir, path, 'cpu.max'), `${max}\n`);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('usable CPUs', () => {
  it('a container with its own cgroup namespace ("0::/") and --cpus 1.5 has 1 whole CPU of 8', () => {
    const cgroupRoot = tree('container', { '': '150000 100000' });
    const sources = { cgroupRoot, selfCgroup: '0::/\n', parallelism: 8 };
    assert.equal(cgroupCpuQuota(sources), 1.5);
    assert.equal(usableCpus(sources), 1);
    assert.equal(defaultWorkers(sources), 1);
  });

  it('takes the smallest quota from the process cgroup up to the root, and never more CPUs than it may run on', () => {
    const cgroupRoot = tree('nested', { '': 'max 100000', 'system.slice': '300000 100000', 'system.slice/site.scope': 'max 100000' });
    const sources = { cgroupRoot, selfCgroup: '0::/system.slice/site.scope\n', parallelism: 8 };
    assert.equal(cgroupCpuQuota(sources), 3);
    assert.equal(usableCpus(sources), 3);
    assert.equal(defaultWorkers(sources), 3);
    assert.equal(usableCpus({ ...sources, parallelism: 2 }), 2, 'the affinity mask caps a larger quota');
  });

  it('a quota under one CPU still gives one worker', () => {
    const cgroupRoot = tree('small', { '': '5000 100000' });
    assert.equal(usableCpus({ cgroupRoot, selfCgroup: '0::/', parallelism: 4 }), 1);
  });

  it('without a quota (or cgroup v2), auto is every CPU the process may run on, and the default is one process', () => {
    const unlimited = tree('unlimited', { '': 'max 100000' });
    assert.equal(cgroupCpuQuota({ cgroupRoot: unlimited, selfCgroup: '0::/' }), undefined);
    assert.equal(usableCpus({ cgroupRoot: unlimited, selfCgroup: '0::/', parallelism: 4 }), 4);
    assert.equal(defaultWorkers({ cgroupRoot: unlimited, selfCgroup: '0::/', parallelism: 4 }), 1);
    const v1 = { cgroupRoot: join(root, 'missing'), selfCgroup: '4:memory:/x\n1:cpu:/\n', parallelism: 4 };
    assert.equal(cgroupCpuQuota(v1), undefined);
    assert.equal(usableCpus(v1), 4);
  });

  it('ignores .. in the cgroup path instead of reading outside the tree', () => {
    const cgroupRoot = tree('dots', { '': '200000 100000' });
    assert.equal(cgroupCpuQuota({ cgroupRoot, selfCgroup: '0::/../../etc\n', parallelism: 4 }), 2);
  });
});
