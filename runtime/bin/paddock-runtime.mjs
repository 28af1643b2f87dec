#!/usr/bin/env node
// paddock-runtime: runs from the built dist/ when present, otherwise from src/ through tsx (this repo, dev installs).
// PADDOCK_RUNTIME_FROM=source|dist forces one. Tenant code and the host must load the same runtime module instances,
// so in source mode a resolve hook makes every '@paddock/runtime' import pick src/ too.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const dist = new URL('../dist/host/index.js', import.meta.url);
const from = process.env.PADDOCK_RUNTIME_FROM ?? (existsSync(dist) ? 'dist' : 'source');
// Processes it starts (the dev server, test processes) load the runtime the same way.
process.env.PADDOCK_RUNTIME_FROM = from;

if (from === 'source') {
  register(new URL('./source-conditions.mjs', import.meta.url));
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
}
const { main } = await import('@paddock/runtime/host');
const code = await main(process.argv.slice(2));
// Exit explicitly: a cluster worker's IPC channel (or a stray handle in tenant code) would otherwise keep the process up.
process.exit(code);
