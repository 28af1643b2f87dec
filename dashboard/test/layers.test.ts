// The dashboard's layer, as the linter enforces it (eslint.config.js, "layers"): its server side speaks only the
// control plane's HTTP API and imports none of its code. The rule is shown failing on a violating file, in memory.
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

test('the dashboard imports nothing of the control plane, in pages or in its server code', async () => {
  const violations: Array<[string, string]> = [
    ['dashboard/app/sites/page.tsx', "import { listSites } from '@paddock/control-plane/sites/sites';\nexport default listSites;\n"],
    ['dashboard/lib/api.ts', "import type { Site } from '@paddock/control-plane/store/schema';\nexport type S = Site;\n"],
    ['dashboard/server.mjs', "const { startApi } = await import('@paddock/control-plane/api/server');\nvoid startApi;\n"],
  ];
  for (const [file, code] of violations) {
    const errors = await layerErrors(file, code);
    assert.equal(errors.length, 1, `${file}: ${code}`);
    assert.match(errors[0] ?? '', /speak only the control plane's HTTP API/);
  }
  // The API's answers' types are its to import, as types only.
  assert.deepEqual(await layerErrors('dashboard/lib/sites.ts', "export type { Site } from '@paddock/control-plane/api-types';\n"), []);
  const errors = await layerErrors('dashboard/lib/sites.ts', "export { Site } from '@paddock/control-plane/api-types';\n");
  assert.equal(errors.length, 1);
  assert.match(errors[0] ?? '', /API types are imported as types only/);
});
