// Permission checks: a superuser has all, others have their own plus their groups'; inactive users have none.
// Every model gets add/change/delete/view permissions, created on demand by syncPermissions().
import { registry, type AnyModelClass } from '../../db/index.js';
import { Permission, type UserInstance } from './models.js';

export const DEFAULT_ACTIONS = ['add', 'change', 'delete', 'view'] as const;

const PERM_CACHE = Symbol('paddock.auth.permCache');

/** "app.codename" for every permission the user holds (cached on the instance for the request). */
export async function getAllPermissions(user: UserInstance): Promise<Set<string>> {
  const holder = user as unknown as Record<symbol, Set<string> | undefined>;
  const cached = holder[PERM_CACHE];
  if (cached) return cached;
  const perms = new Set<string>();
  if (user.isActive) {
    for (const p of await user.userPermissions) perms.add(`${p.app}.${p.codename}`);
    for (const g of await user.groups) for (const p of await g.permissions) perms.add(`${p.app}.${p.codename}`);
  }
  holder[PERM_CACHE] = perms;
  return perms;
}

export async function hasPerm(user: unknown, perm: string): Promise<boolean> {
  const u = user as UserInstance | undefined;
  if (!u || (u as { isAuthenticated?: boolean }).isAuthenticated !== true || !u.isActive) return false;
  if (u.isSuperuser) return true;
  return (await getAllPermissions(u)).has(perm);
}

export async function hasPerms(user: unknown, perms: readonly string[]): Promise<boolean> {
  for (const p of perms) if (!(await hasPerm(user, p))) return false;
  return true;
}

/** Whether the user has any permission in the app (the admin shows only those apps). */
export async function hasModulePerms(user: unknown, app: string): Promise<boolean> {
  const u = user as UserInstance | undefined;
  if (!u || (u as { isAuthenticated?: boolean }).isAuthenticated !== true || !u.isActive) return false;
  if (u.isSuperuser) return true;
  for (const p of await getAllPermissions(u)) if (p.startsWith(`${app}.`)) return true;
  return false;
}

export function permissionCodename(action: string, model: AnyModelClass): string {
  return `${action}_${model._meta.modelName.toLowerCase()}`;
}

/** Creates the default permissions of the given models (default: all registered) that do not exist yet. */
export async function syncPermissions(models: readonly AnyModelClass[] = [...registry.models.values()]): Promise<number> {
  const wanted = models.flatMap((m) => DEFAULT_ACTIONS.map((action) => ({
    app: m._meta.app,
    codename: permissionCodename(action, m),
    name: `Can ${action} ${m._meta.options.verboseName ?? m._meta.modelName.toLowerCase()}`,
  })));
  if (!wanted.length) return 0;
  const existing = new Set((await Permission.objects.filter({ app__in: [...new Set(wanted.map((w) => w.app))] }))
    .map((p) => `${p.app}.${p.codename}`));
  const missing = wanted.filter((w) => !existing.has(`${w.app}.${w.codename}`));
  if (missing.length) await Permission.objects.bulkCreate(missing, { ignoreConflicts: true });
  return missing.length;
}
