// The auth app's models: User, Group and Permission (Django's, without content types: a permission names its
// app and codename, e.g. "blog.add_post").
import { fields, model, type Instance } from '../../db/index.js';

export const Permission = model('auth.Permission', {
  id: fields.auto(),
  name: fields.char({ maxLength: 255 }),
  /** The app label of the model the permission is about ("blog"). */
  app: fields.char({ maxLength: 100 }),
  /** "add_post", "change_post", ... or a custom one ("publish_post"). */
  codename: fields.char({ maxLength: 100 }),
}, { ordering: ['app', 'codename'], uniqueTogether: [['app', 'codename']], verboseName: 'permission' });

export const Group = model('auth.Group', {
  id: fields.auto(),
  name: fields.char({ maxLength: 150, unique: true }),
  permissions: fields.manyToMany<PermissionInstance>('auth.Permission', { blank: true, relatedName: 'groups' }),
}, { ordering: ['name'], verboseName: 'group' });

export const User = model('auth.User', {
  id: fields.auto(),
  username: fields.char({ maxLength: 150, unique: true, helpText: 'Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.' }),
  /** An encoded hash ("pbkdf2_sha256$1000000$salt$hash"); never the password itself. */
  password: fields.char({ maxLength: 128 }),
  email: fields.email({ maxLength: 254, blank: true, default: '' }),
  firstName: fields.char({ maxLength: 150, blank: true, default: '' }),
  lastName: fields.char({ maxLength: 150, blank: true, default: '' }),
  isActive: fields.boolean({ default: true, helpText: 'Unselect this instead of deleting accounts.' }),
  /** May log into the admin site. */
  isStaff: fields.boolean({ default: false }),
  /** Has every permission without being given them. */
  isSuperuser: fields.boolean({ default: false }),
  lastLogin: fields.datetime({ null: true, blank: true }),
  dateJoined: fields.datetime({ default: () => new Date() }),
  groups: fields.manyToMany<GroupInstance>('auth.Group', { blank: true, relatedName: 'users' }),
  userPermissions: fields.manyToMany<PermissionInstance>('auth.Permission', { blank: true, relatedName: 'users', dbTable: 'auth_user_user_permissions' }),
}, { ordering: ['username'], verboseName: 'user' });

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
