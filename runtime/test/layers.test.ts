// The runtime's layers, as the linter enforces them (eslint.config.js, "layers"): the core imports no battery and no
// part of the runtime imports the control plane. Each rule is shown failing on a violating file, in memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The layer errors ESLint reports for `code` as if it were the file at `path` (relative to the repository). */
async function layerErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

test('the runtime core imports no battery: imports, type imports, re-exports and import() of contrib/ fail lint', async () => {
  const violations: Array<[string, string]> = [
    ['runtime/src/host/cli.ts', "import { createSuperuser } from '../contrib/auth/management.js';\nvoid createSuperuser;\n"],
    ['runtime/src/host/cli.ts', "export async function run() { return import('../contrib/commands.js'); }\n"],
    ['runtime/src/site/site.ts', "import type { AdminSite } from '../contrib/admin/site.js';\nexport type A = AdminSite;\n"],
    ['runtime/src/index.ts', "export { authApp } from './contrib/auth/index.js';\n"],
    ['runtime/src/templates/engine.ts', "import { messagesApp } from '@paddock/runtime/contrib/messages';\nvoid messagesApp;\n"],
  ];
  for (const [file, code] of violations) {
    const errors = await layerErrors(file, code);
    assert.equal(errors.length, 1, `${file}: ${code}`);
    assert.match(errors[0] ?? '', /core imports no battery .* through its AppConfig/);
  }
  // The batteries themselves may build on the core and on each other.
  assert.deepEqual(await layerErrors('runtime/src/contrib/admin/site.ts',
    "import { LoginForm } from '../auth/forms.js';\nimport { render } from '../../views/shortcuts.js';\nvoid LoginForm; void render;\n"), []);
  assert.deepEqual(await layerErrors('runtime/src/host/cli.ts', "import { loadSite } from './load.js';\nvoid loadSite;\n"), []);
});

test('no part of the runtime imports the control plane, by package name or by path', async () => {
  const violations: Array<[string, string]> = [
    ['runtime/src/db/connections.ts', "import { errors } from '@paddock/control-plane/errors';\nvoid errors;\n"],
    ['runtime/src/contrib/auth/login.ts', "import type { Site } from '@paddock/control-plane/store/schema';\nexport type S = Site;\n"],
    ['runtime/test/host.test.ts', "import { config } from '../../control-plane/src/config.js';\nvoid config;\n"],
    ['runtime/starters/blog/site.ts', "await import('@paddock/control-plane');\n"],
  ];
  for (const [file, code] of violations) {
    const errors = await layerErrors(file, code);
    assert.equal(errors.length, 1, `${file}: ${code}`);
    assert.match(errors[0] ?? '', /runtime never imports the control plane/);
  }
});
