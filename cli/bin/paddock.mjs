#!/usr/bin/env node
// The `paddock` command. Runs the compiled CLI from dist/ when it has been built; in a source
// checkout without a build (or with PADDOCK_CLI_FROM_SOURCE=1, which the tests set when dist/ is
// older than the sources, so a stale build cannot hide a change) it runs the TypeScript sources through tsx.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/main.js', import.meta.url);
const fromSource = process.env.PADDOCK_CLI_FROM_SOURCE === '1' || !existsSync(dist);
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/main.ts', import.meta.url).href);
} else {
  await import(dist.href);
}
