// The audit log as operators read it: newest first, filtered by organisation, actor, action or
// target, each event with its organisation's name and its target's name.
import { sql } from 'kysely';
import type { Db } from '../store/db.js';

const isUuid = (v: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

/** An audit target's name, by its type (ids are UUIDs; anything else has no name). */
const targetName = sql<string | null>`case when audit_events.target_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then case audit_events.target_type
  when 'site' then (select name from sites where id = audit_events.target_id::uuid)
  when 'organisation' then (select name from organisations where id = audit_events.target_id::uuid)
  when 'account' then (select email from accounts where id = audit_events.target_id::uuid)
  when 'membership' then (select email from accounts where id = audit_events.target_id::uuid)
  when 'invitation' then (select email from invitations where id = audit_events.target_id::uuid)
  when 'token' then (select name from api_tokens where id = audit_events.target_id::uuid)
end end`;

export interface AuditFilter {
  page: number;
  limit: number;
  /** The organisation's id. */
  org?: string | undefined;
  /** The account's id or email. */
  actor?: string | undefined;
  action?: string | undefined;
  /** The target's id, or a site's or organisation's name, or an account's email. */
  target?: string | undefined;
}

/** One page of events and how many match. */
export async function auditEvents(db: Db, filter: AuditFilter) {
  const { page, limit, org, actor, action, target } = filter;
  let base = db.selectFrom('audit_events');
  if (org) base = base.where('org_id', '=', org);
  if (actor) {
    base = isUuid(actor) ? base.where('actor_id', '=', actor)
      : base.where('actor_id', 'in', db.selectFrom('accounts').select('id').where('email', '=', actor.toLowerCase()));
  }
  if (action) base = base.where('action', '=', action);
  if (target) {
    // A name stands for every id it names: a site's (deleted ones with the same name included),
    // an organisation's, an account's.
    const named = db.selectFrom('sites').select(sql<string>`id::text`.as('id')).where('name', '=', target)
      .union(db.selectFrom('organisations').select(sql<string>`id::text`.as('id')).where('name', '=', target))
      .union(db.selectFrom('accounts').select(sql<string>`id::text`.as('id')).where('email', '=', target.toLowerCase()));
    base = isUuid(target) ? base.where('target_id', '=', target.toLowerCase()) : base.where('target_id', 'in', named);
  }
  const [{ total }, rows] = await Promise.all([
    base.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow(),
    base.selectAll('audit_events').leftJoin('organisations', 'organisations.id', 'audit_events.org_id')
      .select(['organisations.name as org_name', targetName.as('target_name')])
      .orderBy('audit_events.id', 'desc').limit(limit).offset((page - 1) * limit).execute(),
  ]);
  return { rows, total };
}
