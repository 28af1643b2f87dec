// @paddock/control-plane's public surface for the other workspaces and for tests.
export { loadConfig, settings, ConfigError, type Config, type Setting } from './config.js';
export { PaddockError, errors } from './errors.js';
export { openPlatform, type Platform } from './platform/platform.js';
export { buildServer, type ApiServer } from './api/server.js';
export { migrateToLatest } from './store/migrate.js';
