// Loaded (`node --import`) into the test processes `paddock-runtime test` starts: TypeScript through tsx and, when the
// runtime runs from its sources (PADDOCK_RUNTIME_FROM=source, set by paddock-runtime), every @paddock/runtime import
// resolved to them, so tests, the site and the runtime share one instance of each module.
import { register } from 'node:module';

if (process.env.PADDOCK_RUNTIME_FROM === 'source') register(new URL('./source-conditions.mjs', import.meta.url));
const { register: registerTsx } = await import('tsx/esm/api');
registerTsx();
