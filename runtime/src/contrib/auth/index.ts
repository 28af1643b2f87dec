// The auth battery, shaped like a tenant app: list `authApp` in the site's apps, add sessionMiddleware() and
// authMiddleware() to MIDDLEWARE, and include('accounts/', authUrls) in the URLs. The app gives templates {{ user }}
// and paddock-runtime the createsuperuser and changepassword commands.
import { app } from '../../site/define.js';
import { authenticate, authProcessor, login, logout } from './login.js';
import type { UserInstance } from './models.js';

export const authApp = app('auth', new URL('.', import.meta.url), {
  commands: {
    createsuperuser: () => import('./commands/createsuperuser.js'),
    changepassword: () => import('./commands/changepassword.js'),
  },
  contextProcessors: [authProcessor],
  // The test client's login({ username, password }) and forceLogin(user).
  authentication: {
    authenticate: ({ username = '', password = '' }) => authenticate(username, password),
    login: (req, user) => login(req, user as UserInstance),
    logout: (req) => logout(req),
  },
});

export { User, Group, Permission, type UserInstance, type GroupInstance, type PermissionInstance } from './models.js';
export { configureAuth, authSettings, type AuthSettings } from './config.js';
export { authenticate, login, logout, authMiddleware, currentUser, isAuthenticated, updateSessionAuthHash, sessionAuthHash,
  siteThrottle, ThrottledError, ANONYMOUS_USER, authProcessor, type AnonymousUser, type AuthenticateOptions } from './login.js';
export { loginRequired, permissionRequired, staffMemberRequired, redirectToLogin } from './decorators.js';
export { hasPerm, hasPerms, hasModulePerms, getAllPermissions, syncPermissions, permissionCodename, DEFAULT_ACTIONS } from './permissions.js';
export { loginView, logoutView, passwordChangeView, passwordResetView, passwordResetConfirmView, setAuthMailBackend } from './views.js';
export { authUrls } from './urls.js';
export { createSuperuser, changePassword, type CreateSuperuserOptions, type ChangePasswordOptions } from './management.js';
export { isSafeRedirect } from './redirects.js';
export { PasswordResetTokenGenerator, type TokenUser } from './tokens.js';
export { LoginThrottle, type ThrottleOptions } from './throttle.js';
export {
  PasswordHashers, PBKDF2PasswordHasher, PBKDF2SHA1PasswordHasher, ScryptPasswordHasher, MD5PasswordHasher, defaultPasswordHashers,
  isPasswordUsable, type PasswordHasher,
} from './hashers.js';
export {
  validatePassword, passwordHelpTexts, MinimumLengthValidator, CommonPasswordValidator, NumericPasswordValidator,
  UserAttributeSimilarityValidator, defaultPasswordValidators, type PasswordValidator,
} from './password-validation.js';
export { LoginForm, PasswordResetForm, passwordChangeForm, setPasswordForm } from './forms.js';
