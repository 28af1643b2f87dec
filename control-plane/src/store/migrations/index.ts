// Every platform-database migration, in order. Names start with a sortable UTC timestamp
// (YYYYMMDDTHHMM); to add one, create the module beside this file and add one line below.
import type { Migration } from 'kysely';
import * as accountsOrgsSites from './20261123T2300_accounts_orgs_sites.js';
import * as deploysReleases from './20261123T2330_deploys_releases.js';
import * as privatePlatformDatabase from './20261124T0000_private_platform_database.js';
import * as domainsUniqueWhenVerified from './20261124T0015_domains_unique_when_verified.js';
import * as releaseEnvSnapshots from './20261124T0200_release_env_snapshots.js';
import * as envVersionsAndReleaseEnvChanges from './20261124T0300_env_versions_and_release_env_changes.js';
import * as oneLiveReleasePerSite from './20261124T0400_one_live_release_per_site.js';
import * as backups from './20261207T1500_backups.js';
import * as billing from './20261207T1600_billing.js';
import * as certificates from './20261207T1600_certificates.js';

export const migrations: Record<string, Migration> = {
  '20261123T2300_accounts_orgs_sites': accountsOrgsSites,
  '20261123T2330_deploys_releases': deploysReleases,
  '20261124T0000_private_platform_database': privatePlatformDatabase,
  '20261124T0015_domains_unique_when_verified': domainsUniqueWhenVerified,
  '20261124T0200_release_env_snapshots': releaseEnvSnapshots,
  '20261124T0300_env_versions_and_release_env_changes': envVersionsAndReleaseEnvChanges,
  '20261124T0400_one_live_release_per_site': oneLiveReleasePerSite,
  '20261207T1500_backups': backups,
  '20261207T1600_billing': billing,
  '20261207T1600_certificates': certificates,
};
