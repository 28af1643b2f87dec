// The API's feature plugins, each owning its routes, schemas and services. To add a feature,
// import its plugin and add one line to the list.
import type { FastifyPluginAsync } from 'fastify';
import { healthPlugin } from './health.js';

export const apiPlugins: FastifyPluginAsync[] = [
  healthPlugin,
];
