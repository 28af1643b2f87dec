// The auth app's models: User, Group and Permission (Django's, without content types: a permission names its
// app and codename, e.g. "blog.add_post").
import { fields, model, type Instance } from '../../db/index.js';
import { gettextLazy as _ } from '../../i18n/translation.js';

export const Permission = model('auth.Permission', {
  id: fields.auto(),
  name: fields.char({ maxLength: 255, verboseName: _('name') }),
  /** The app label of the model the permission is about ("blog"). */
  app: fields.char({ maxLength: 100 }),
  /** "add_post", "change_post", ... or a custom one ("publish_post"). */
  codename: fields.char({ maxLength: 100 }),
}, { ordering: ['app', 'codename'], uniqueTogether: [['app', 'codename']], verboseName: _('permission'), verboseNamePlural: _('permissions') });

export const Group = model('auth.Group', {
  id: fields.auto(),
  name: fields.char({ maxLength: 150, unique: true, verboseName: _('name') }),
  permissions: fields.manyToMany<PermissionInstance>('auth.Permission', { blank: true, relatedName: 'groups', verboseName: _('permissions') }),
}, { ordering: ['name'], verboseName: _('group'), verboseNamePlural: _('groups') });

export const User = model('auth.User', {
  id: fields.auto(),
  username: fields.char({ maxLength: 150, unique: true, verboseName: _('username'),
    helpText: _('Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.') }),
  /** An encoded hash ("pbkdf2_sha256$1000000$salt$hash"); never the password itself. */
  password: fields.char({ maxLength: 128 }),
  email: fields.email({ maxLength: 254, blank: true, default: '', verboseName: _('email address') }),
  firstName: fields.char({ maxLength: 150, blank: true, default: '', verboseName: _('first name') }),
  lastName: fields.char({ maxLength: 150, blank: true, default: '', verboseName: _('last name') }),
  isActive: fields.boolean({ default: true, verboseName: _('active'), helpText: _('Unselect this instead of deleting accounts.') }),
  /** May log into the admin site. */
  isStaff: fields.boolean({ default: false, verboseName: _('staff status'), helpText: _('Whether the user can log into the admin site.') }),
  /** Has every permission without being given them. */
  isSuperuser: fields.boolean({ default: false, verboseName: _('superuser status'),
    helpText: _('The user has every permission without being given them.') }),
  lastLogin: fields.datetime({ null: true, blank: true, verboseName: _('last login') }),
  dateJoined: fields.datetime({ default: () => new Date(), verboseName: _('date joined') }),
  groups: fields.manyToMany<GroupInstance>('auth.Group', { blank: true, relatedName: 'users', verboseName: _('groups') }),
  userPermissions: fields.manyToMany<PermissionInstance>('auth.Permission', { blank: true, relatedName: 'users', dbTable: 'auth_user_user_permissions',
    verboseName: _('user permissions') }),
}, { ordering: ['username'], verboseName: _('user'), verboseNamePlural: _('users') });

export type PermissionInstance = Instance<typeof Permission>;
export type GroupInstance = Instance<typeof Group>;
export type UserInstance = Instance<typeof User>;

// Templates and views ask any user these; anonymous visitors answer false (login.ts' ANONYMOUS_USER).
Object.defineProperties(User.prototype, {
  isAuthenticated: { get: () => true, configurable: true },
  isAnonymous: { get: () => false, configurable: true },
  // Never let a password hash reach a serialised user (JSON responses, logs).
  toJSON: {
    value: function toJSON(this: UserInstance) {
      const { password: _password, ...rest } = { ...this } as Record<string, unknown>;
      return rest;
    },
    configurable: true,
  },
});
