// The auth app's settings in one typed place (Django's PASSWORD_HASHERS, AUTH_PASSWORD_VALIDATORS, LOGIN_URL, ...).
// A site changes them once at startup with configureAuth(); every view and helper reads them from here.
import { defaultPasswordHashers, PasswordHashers, type PasswordHasher } from './hashers.js';
import { defaultPasswordValidators, type PasswordValidator } from './password-validation.js';
import type { ThrottleOptions } from './throttle.js';

export interface AuthSettings {
  hashers: PasswordHashers;
  validators: PasswordValidator[];
  /** Where loginRequired sends anonymous visitors. */
  loginUrl: string;
  /** Where a login without ?next= lands. */
  loginRedirectUrl: string;
  logoutRedirectUrl: string;
  /** Seconds a password-reset link stays valid. */
  passwordResetTimeout: number;
  throttle: ThrottleOptions;
  /** DEFAULT_FROM_EMAIL for reset mails. */
  fromEmail: string;
}

let current: AuthSettings = {
  hashers: new PasswordHashers(defaultPasswordHashers()),
  validators: defaultPasswordValidators(),
  loginUrl: '/accounts/login/',
  loginRedirectUrl: '/',
  logoutRedirectUrl: '/',
  passwordResetTimeout: 60 * 60 * 24 * 3,
  throttle: {},
  fromEmail: 'webmaster@localhost',
};

export function authSettings(): AuthSettings {
  return current;
}

export function configureAuth(changes: Partial<Omit<AuthSettings, 'hashers'>> & { hashers?: PasswordHasher[] | PasswordHashers }): AuthSettings {
  const { hashers, ...rest } = changes;
  current = {
    ...current,
    ...rest,
    ...(hashers ? { hashers: hashers instanceof PasswordHashers ? hashers : new PasswordHashers(hashers) } : {}),
  };
  return current;
}
