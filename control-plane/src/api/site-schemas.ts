// Schemas of sites, shared by the owners' API and the admin API.
import { Type } from 'typebox';
import type { Config } from '../config.js';
import type { Site } from '../store/schema.js';
import { Timestamp, Uuid } from './schemas.js';

export const SiteStatus = Type.Union([
  Type.Literal('provisioning'), Type.Literal('ready'), Type.Literal('suspended'),
  Type.Literal('failed'), Type.Literal('deleting'), Type.Literal('deleted'),
]);

export const SiteOut = Type.Object({
  id: Uuid,
  name: Type.String(),
  org: Type.String({ description: "the owning organisation's name" }),
  status: SiteStatus,
  statusReason: Type.Union([Type.String(), Type.Null()]),
  replicas: Type.Integer(),
  memoryMb: Type.Integer(),
  url: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const SiteSizeBody = {
  replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  memoryMb: Type.Optional(Type.Integer({ minimum: 64, maximum: 1048576 })),
};

export function siteUrl(config: Pick<Config, 'siteDomain' | 'edgePort'>, name: string): string {
  const port = config.edgePort === 80 ? '' : `:${config.edgePort}`;
  return `http://${name}.${config.siteDomain}${port}`;
}

/** The columns siteOut reads: list queries select only these. */
export const siteOutColumns = ['sites.id', 'sites.name', 'sites.status', 'sites.status_reason', 'sites.replicas', 'sites.memory_mb', 'sites.created_at', 'sites.updated_at'] as const;

type SiteView = Pick<Site, 'id' | 'name' | 'status' | 'status_reason' | 'replicas' | 'memory_mb' | 'created_at' | 'updated_at'>;

export function siteOut(config: Pick<Config, 'siteDomain' | 'edgePort'>, site: SiteView, orgName: string) {
  return {
    id: site.id, name: site.name, org: orgName, status: site.status, statusReason: site.status_reason,
    replicas: site.replicas, memoryMb: site.memory_mb, url: siteUrl(config, site.name),
    createdAt: site.created_at.toISOString(), updatedAt: site.updated_at.toISOString(),
  };
}
