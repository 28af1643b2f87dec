// The backups feature's tables as Kysely sees them (migration 20261207T1500_backups), added to the
// platform database's type with `withTables`.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Db } from '../store/db.js';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

/** What a logical backup holds, read back from the stored dump (`pg_restore --list`). */
export interface BackupManifest {
  /** `schema.table` of every table whose data the dump holds. */
  tables: string[];
  /** The dump's own header: the server version it was taken from. */
  serverVersion: string;
}

export type BackupStatus = 'running' | 'complete' | 'failed';
export type RestoreStatus = 'queued' | 'running' | 'releasing' | 'succeeded' | 'failed';

export type SiteBackupsTable = {
  id: Generated<string>;
  site_id: string;
  trigger: 'scheduled' | 'manual';
  status: BackupStatus;
  artifact_key: string | null;
  /** Bytes stored (encrypted). */
  size: ColumnType<string | null, number | null | undefined, number | null>;
  sha256: string | null;
  manifest: NullableJson<BackupManifest>;
  error: string | null;
  created_by: string | null;
  started_at: Generated<Date>;
  completed_at: NullableTimestamp;
};

export type SiteRestoresTable = {
  id: Generated<string>;
  site_id: string;
  backup_id: string | null;
  /** A point-in-time restore's moment (backup_id is null then). */
  target_time: NullableTimestamp;
  status: RestoreStatus;
  error: string | null;
  /** The database the restore made (a sealed TenantResource). */
  new_resource_enc: string | null;
  /** The database it replaced (sealed), kept until keep_until so the restore can be undone by hand. */
  previous_resource_enc: string | null;
  keep_until: NullableTimestamp;
  previous_dropped_at: NullableTimestamp;
  deploy_id: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  finished_at: NullableTimestamp;
};

export type BackupTables = {
  site_backups: SiteBackupsTable;
  site_restores: SiteRestoresTable;
};

export type SiteBackup = Selectable<SiteBackupsTable>;
export type SiteRestore = Selectable<SiteRestoresTable>;

export function backupDb(db: Db) {
  return db.withTables<BackupTables>();
}
export type BackupDb = ReturnType<typeof backupDb>;
