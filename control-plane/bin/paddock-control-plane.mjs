#!/usr/bin/env node
// Runs the control plane: the built dist/main.js, or — in a checkout without a build — the
// TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const built = join(here, '..', 'dist', 'main.js');

if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  // Same process would need tsx's loader registered before the first import; a child keeps
  // signals simple: forward them and exit with the child's code.
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=paddock-source', join(here, '..', 'src', 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
