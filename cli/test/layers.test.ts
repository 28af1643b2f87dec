// The CLI's layer, as the linter enforces it (eslint.config.js, "layers"): it speaks only the control plane's HTTP
// API and imports none of its code. The rule is shown failing on a violating file, in memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function layerErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

test('the CLI imports nothing of the control plane: package imports, type imports, paths and import() fail lint', async () => {
  for (const code of [
    "import { errors } from '@paddock/control-plane/errors';\nvoid errors;\n",
    "import type { Site } from '@paddock/control-plane/store/schema';\nexport type S = Site;\n",
    "import { config } from '../../../control-plane/src/config.js';\nvoid config;\n",
    "export const load = () => import('@paddock/control-plane');\n",
  ]) {
    const errors = await layerErrors('cli/src/commands/sites.ts', code);
    assert.equal(errors.length, 1, code);
    assert.match(errors[0] ?? '', /speak only the control plane's HTTP API/);
  }
  assert.deepEqual(await layerErrors('cli/src/commands/sites.ts', "import { ApiClient } from '../api-client.js';\nvoid ApiClient;\n"), []);
  // The API's answers' types are its to import, as types only.
  assert.deepEqual(await layerErrors('cli/src/commands/sites.ts', "import type { Site } from '@paddock/control-plane/api-types';\nexport type S = Site;\n"), []);
  for (const code of [
    "import { Site } from '@paddock/control-plane/api-types';\nvoid Site;\n",
    "export const load = () => import('@paddock/control-plane/api-types');\n",
  ]) {
    const errors = await layerErrors('cli/src/commands/sites.ts', code);
    assert.equal(errors.length, 1, code);
    assert.match(errors[0] ?? '', /API types are imported as types only/);
  }
  // Its tests start a real platform, so they may.
  assert.deepEqual(await layerErrors('cli/test/support/platform.ts', "import { config } from '@paddock/control-plane/config';\nvoid config;\n"), []);
});
