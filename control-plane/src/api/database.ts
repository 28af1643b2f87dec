// A site's database and cache connection details over HTTP (databases/databases.ts): passwords
// masked unless revealed — revealing needs the secrets scope and the developer role, and is audited.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { databaseDetails } from '../databases/databases.js';
import { createProvisioners, type Provisioners } from '../provisioners/index.js';
import { DnsLabel, errorResponses } from './schemas/common.js';
import { DatabaseOut } from './schemas/databases.js';

export const databasePlugin: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const p = app.platform;
  let provisioners: Provisioners | undefined;
  app.addHook('onClose', async () => { await provisioners?.close(); });

  app.get('/v1/sites/:site/database', {
    config: { auth: { scope: 'read', site: 'read', reveal: { query: 'reveal', scope: 'secrets', site: 'readSecrets' } } },
    schema: {
      tags: ['sites'],
      summary: "Connection details of the site's Postgres database and Redis cache",
      description: 'Passwords are masked (****) unless `?reveal=true`, which is written to the audit log.',
      params: Type.Object({ site: DnsLabel }),
      querystring: Type.Object({ reveal: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      response: { 200: DatabaseOut, ...errorResponses },
    },
  }, async (request) => {
    // Revealing needs the secrets scope and the developer role: checked with the route's declaration.
    provisioners ??= createProvisioners(p.config);
    return databaseDetails(p, provisioners, request.siteAccess.site, { reveal: request.query.reveal === true, actor: request.auth.actor, log: request.log });
  });
};
