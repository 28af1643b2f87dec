#!/usr/bin/env node
// `npm run bench`: the same preparation as `npm test` (packages, the dev stack with the baselines'
// packages — nginx, wrk, Django, gunicorn — and builds), then the benchmark harness with the
// stack's settings. Arguments go to the harness: `npm run bench -- runtime-hello --duration 5`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { platformEnv, root } from './lib/env.mjs';
import { bold, fail } from './lib/log.mjs';
import { prepare } from './lib/prepare.mjs';

async function main() {
  console.log(bold('Paddock benchmarks'));
  await prepare({ purpose: 'bench' });
  const child = spawn(process.execPath, [join(root, 'loadtests', 'bench', 'run.mjs'), ...process.argv.slice(2)], {
    cwd: root, stdio: 'inherit', env: platformEnv({ NEXT_TELEMETRY_DISABLED: '1' }),
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main().catch(fail);
