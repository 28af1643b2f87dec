// The API's feature plugins, each owning its routes, schemas and services. To add a feature,
// import its plugin and add one line to the list.
import type { FastifyPluginAsync } from 'fastify';
import { healthPlugin } from './health.js';
import { authPlugin } from './auth.js';
import { tokensPlugin } from './tokens.js';
import { orgsPlugin } from './orgs.js';
import { sitesPlugin } from './sites.js';
import { adminPlugin } from './admin.js';
import { deploysPlugin } from './deploys.js';
import { envVarsPlugin } from './env-vars.js';
import { scalePlugin } from './scale.js';
import { domainsPlugin } from './domains.js';
import { logsPlugin } from './logs.js';
import { runPlugin } from './run.js';
import { databasePlugin } from './database.js';
import { backupsPlugin } from '../api/backups.js';
import { billingPlugin } from './billing.js';

export const apiPlugins: FastifyPluginAsync[] = [
  healthPlugin,
  authPlugin,
  tokensPlugin,
  orgsPlugin,
  sitesPlugin,
  adminPlugin,
  deploysPlugin,
  envVarsPlugin,
  scalePlugin,
  domainsPlugin,
  logsPlugin,
  runPlugin,
  databasePlugin,
  backupsPlugin,
  billingPlugin,
];
