// The auth models in the admin. The password is never a form field: it is set through createsuperuser, the
// password change view or a reset link, so its hash is never shown or posted.
import type { AdminSite } from '../admin/site.js';
import { Group, User } from './models.js';

export function registerAuthAdmin(site: AdminSite): void {
  if (!site.isRegistered(User)) {
    site.register(User, {
      listDisplay: ['username', 'email', 'firstName', 'lastName', 'isStaff'],
      searchFields: ['username', 'firstName', 'lastName', 'email'],
      listFilter: ['isStaff', 'isSuperuser', 'isActive'],
      fields: ['username', 'email', 'firstName', 'lastName', 'isActive', 'isStaff', 'isSuperuser', 'groups', 'userPermissions'],
      repr: (u) => String(u.username),
    });
  }
  if (!site.isRegistered(Group)) site.register(Group, { listDisplay: ['name'], searchFields: ['name'], repr: (g) => String(g.name) });
}
