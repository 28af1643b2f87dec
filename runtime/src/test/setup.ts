// Loaded (`node --import`) into each test process `paddock test` starts: boots the site and its copy of the test
// databases before the test file is loaded (its top-level code and hooks may use them), and registers the hooks that
// roll every test back. Does nothing in any other process.
import { prepareTestFile } from './environment.js';
import type { TestDatabaseSpec } from './databases.js';

const siteDir = process.env.PADDOCK_TEST_SITE;
if (process.env.NODE_TEST_CONTEXT && siteDir) {
  await prepareTestFile(siteDir, JSON.parse(process.env.PADDOCK_TEST_DATABASES ?? '{}') as Record<string, TestDatabaseSpec>);
}
