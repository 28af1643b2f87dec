// createsuperuser and changepassword: admin accounts and passwords from the command line (or a release script),
// with the same password rules as the site's forms unless explicitly skipped.
import { ValidationError } from '../../errors.js';
import { authSettings } from './config.js';
import { User, type UserInstance } from './models.js';
import { validatePassword } from './password-validation.js';
import { syncPermissions } from './permissions.js';

/** A new superuser's username, e-mail and password. */
export interface CreateSuperuserOptions {
  username: string;
  email?: string;
  /** null: an unusable password (set one later through password reset). */
  password: string | null;
  /** Accept a password the validators reject (Django's --skip-validation / bypass prompt). */
  skipValidation?: boolean;
}

/** Creates a staff superuser (the createsuperuser command); checks the username and, unless skipped, the password rules. */
export async function createSuperuser(options: CreateSuperuserOptions): Promise<UserInstance> {
  const username = options.username.trim();
  if (!username || username.length > 150 || !/^[\p{L}\p{N}@.+\-_]+$/u.test(username)) {
    throw new ValidationError('Enter a valid username: letters, digits and @/./+/-/_ only, at most 150 characters.', 'invalid_username');
  }
  if (await User.objects.filter({ username }).exists()) {
    throw new ValidationError(`The username '${username}' is already taken. Pick another, or reset that user's password.`, 'unique');
  }
  if (options.password !== null && !options.skipValidation) {
    validatePassword(options.password, { username, email: options.email ?? '' }, authSettings().validators);
  }
  await syncPermissions();
  return User.objects.create({
    username,
    email: options.email ?? '',
    password: await authSettings().hashers.make(options.password),
    isStaff: true,
    isSuperuser: true,
  });
}

/** Whose password to set, and to what. */
export interface ChangePasswordOptions {
  username: string;
  password: string;
  /** Accept a password the validators reject. */
  skipValidation?: boolean;
}

/** Sets a user's password (changepassword); the user's sessions end, since they carry a hash of the old one. */
export async function changePassword(options: ChangePasswordOptions): Promise<UserInstance> {
  const user = await User.objects.filter({ username: options.username }).first();
  if (!user) throw new ValidationError(`There is no user '${options.username}'. Check the username (dumpdata auth.User lists them).`, 'not_found');
  if (!options.skipValidation) {
    validatePassword(options.password, { username: user.username, email: user.email, firstName: user.firstName, lastName: user.lastName },
      authSettings().validators);
  }
  user.password = await authSettings().hashers.make(options.password);
  await user.save({ updateFields: ['password'] });
  return user;
}
