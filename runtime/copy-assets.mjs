// Part of the runtime's build: tsc emits only JavaScript, so the files the runtime reads at run
// time from beside its modules (data files, templates) are copied from src/ into dist/ as they are.
import { cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
cpSync(join(here, 'src'), join(here, 'dist'), {
  recursive: true,
  filter: (src) => !/\.(m?ts|tsx)$/.test(src) || src.endsWith('.d.ts'),
});
