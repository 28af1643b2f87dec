// The auth app's forms: login, password change, password reset request and new password. Password rules come
// from the configured validators and are checked against the user's own fields.
import { ValidationError } from '../../errors.js';
import { defineForm, fields, widgets, type Form } from '../../forms/index.js';
import { gettext, gettextLazy } from '../../i18n/translation.js';
import { authSettings } from './config.js';
import type { UserInstance } from './models.js';
import { validatePassword, passwordHelpTexts } from './password-validation.js';

/** The login form: username and password. */
export const LoginForm = defineForm({
  username: fields.char({ maxLength: 150, label: gettextLazy('Username'), widget: widgets.text({ autocomplete: 'username', autofocus: true }) }),
  password: fields.password({ label: gettextLazy('Password'), widget: widgets.password({ autocomplete: 'current-password' }) }),
});

function newPasswordFields() {
  return {
    newPassword1: fields.password({ label: gettext('New password'), helpText: passwordHelpTexts(authSettings().validators).join(' '),
      widget: widgets.password({ autocomplete: 'new-password' }) }),
    newPassword2: fields.password({ label: gettext('New password (again)'), widget: widgets.password({ autocomplete: 'new-password' }) }),
  };
}

function checkNewPassword(data: { newPassword1?: string; newPassword2?: string }, user: UserInstance): void {
  if (data.newPassword1 === undefined || data.newPassword2 === undefined) return;
  if (data.newPassword1 !== data.newPassword2) {
    throw new ValidationError({ newPassword2: [{ code: 'password_mismatch', message: gettext('The two password fields didn’t match.') }] });
  }
  try {
    validatePassword(data.newPassword1, user as unknown as Record<string, unknown>, authSettings().validators);
  } catch (e) {
    if (e instanceof ValidationError) throw new ValidationError({ newPassword2: e.issues });
    throw e;
  }
}

/** A form setting a new password twice, checked by the validators (password reset). */
export function setPasswordForm(user: UserInstance, init: ConstructorParameters<ReturnType<typeof defineForm>>[0] = {}) {
  const F = defineForm(newPasswordFields(), { clean: (data) => checkNewPassword(data, user) });
  return new F(init);
}

/** A form asking for the old password, then a new one twice (password change). */
export function passwordChangeForm(user: UserInstance, init: ConstructorParameters<ReturnType<typeof defineForm>>[0] = {}) {
  const F = defineForm({
    oldPassword: fields.password({ label: gettext('Old password'), widget: widgets.password({ autocomplete: 'current-password', autofocus: true }) }),
    ...newPasswordFields(),
  }, {
    cleanField: {
      oldPassword: async (value) => {
        if (!(await authSettings().hashers.check(value, user.password)).valid) {
          throw new ValidationError(gettext('Your old password was entered incorrectly. Please enter it again.'), 'password_incorrect');
        }
        return value;
      },
    },
    clean: (data) => checkNewPassword(data, user),
  });
  return new F(init);
}

/** The form asking for the e-mail address a reset link goes to. */
export const PasswordResetForm = defineForm({
  email: fields.email({ maxLength: 254, label: gettextLazy('Email'), widget: widgets.email({ autocomplete: 'email' }) }),
});

export type AnyForm = Form;
