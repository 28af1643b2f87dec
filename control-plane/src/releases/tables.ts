// (Until the deploy flow moves to deploys/: its tables are in the one platform schema now, store/schema.ts.)
import type { Db } from '../store/db.js';
export type { Deploy, DeployStatus, EnvChangeNames, Release, ReleaseKind, ReleaseStatus, RouteRunState, SiteRouteRow } from '../store/schema.js';

export function deployDb(db: Db): Db {
  return db;
}
