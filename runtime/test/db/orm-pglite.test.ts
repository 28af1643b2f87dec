// The ORM suite on in-process PGlite (pglite:memory): a site with no database server.
import { ormSuite } from './suite.js';

ormSuite({ name: 'pglite', url: async () => 'pglite:memory', teardown: async () => {} });
