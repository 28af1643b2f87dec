// A custom domain is unique among verified claims only: a pending claim proves nothing, so it
// must not keep the domain's real owner (another site, another organisation) from claiming it.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table site_domains drop constraint site_domains_pkey;
    alter table site_domains add primary key (site_id, host);
    create unique index site_domains_verified_host on site_domains(host) where verified_at is not null;
    create index site_domains_host on site_domains(host);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    delete from site_domains d where verified_at is null and exists (select 1 from site_domains o where o.host = d.host and o.site_id <> d.site_id);
    drop index site_domains_host;
    drop index site_domains_verified_host;
    alter table site_domains drop constraint site_domains_pkey;
    alter table site_domains add primary key (host);
  `.execute(db);
}
