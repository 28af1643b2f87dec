// `npm run build -w docs` (npm test and npm start run it when its inputs change): writes the generated reference
// into docs/reference/ (see reference.ts). The rest of docs/ is written by hand.
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { generateReference } from './reference.js';

const docsDir = fileURLToPath(new URL('..', import.meta.url));
await generateReference(resolve(docsDir, '..'), resolve(docsDir, 'reference'));
// The control plane's queues keep sockets open; the build is done.
process.exit(0);
