// @paddock/runtime/host: the site host, for what boots a site itself (the paddock-runtime bin, tests, benchmarks):
// load a site folder, serve it, open its databases, run its commands in-process, or run paddock-runtime's main().
export { main } from './cli.js';
export { loadSite, type LoadOptions } from './load.js';
export { createServer, type SiteServer } from './server.js';
export { openDatabases, closeDatabases } from './database.js';
export { callCommand, siteCommands, type CallOptions, type FoundCommand } from '../commands/command.js';
