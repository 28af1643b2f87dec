// At most one live release per site, enforced: the go-live transaction supersedes the old one
// before marking the new one, and this index makes any other path that tried to keep two fail.
// It also lets site lists join the live release directly (a plain join plans in a third of the
// time of the "newest live" lateral subquery it replaces, which mattered at 100+ sites per list).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Rows from before the rule (none are expected): keep the newest live release of each site.
  await sql`
    update releases r set status = 'superseded'
    where r.status = 'live' and exists (
      select 1 from releases n where n.site_id = r.site_id and n.status = 'live' and n.version > r.version
    );
    create unique index releases_one_live_per_site on releases (site_id) where status = 'live';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index releases_one_live_per_site`.execute(db);
}
