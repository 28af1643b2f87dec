#!/usr/bin/env node
// The `paddock` command. Runs the compiled CLI from dist/ when it has been built; in a source
// checkout without a build (or with PADDOCK_CLI_FROM_SOURCE=1, which the tests set when dist/ is
// older than the sources, so a stale build cannot hide a change) it runs the TypeScript sources through tsx.
// The few runtime modules the CLI imports (@paddock/runtime/paddockignore) come from the runtime's sources too
// when it runs from source (PADDOCK_RUNTIME_FROM=source, or a runtime without dist/), as paddock-runtime does.
import { existsSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = new URL('../dist/main.js', import.meta.url);
const fromSource = process.env.PADDOCK_CLI_FROM_SOURCE === '1' || !existsSync(dist);
if (fromSource) {
  const runtime = dirname(createRequire(import.meta.url).resolve('@paddock/runtime/package.json'));
  const runtimeFrom = process.env.PADDOCK_RUNTIME_FROM ?? (existsSync(join(runtime, 'dist', 'host', 'index.js')) ? 'dist' : 'source');
  if (runtimeFrom === 'source') register(pathToFileURL(join(runtime, 'bin', 'source-conditions.mjs')));
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  await import(new URL('../src/main.ts', import.meta.url).href);
} else {
  await import(dist.href);
}
