// The auth views: login (throttled, safe redirects), logout (POST only), password change, and password reset by
// e-mail with a signed, expiring, single-use link.
import { Http404 } from '../../errors.js';
import { formInput, type Form } from '../../forms/index.js';
import type { Request } from '../../http/request.js';
import { redirect, notAllowed } from '../../http/responses.js';
import type { Response } from '../../http/response.js';
import { gettext, ngettext } from '../../i18n/translation.js';
import type { MailBackend } from '../../mail/backends.js';
import { mailBackend } from '../../mail/index.js';
import { EmailMessage } from '../../mail/message.js';
import { authSettings } from './config.js';
import { loginRequired } from './decorators.js';
import { LoginForm, PasswordResetForm, passwordChangeForm, setPasswordForm } from './forms.js';
import { authenticate, currentUser, login, logout, siteThrottle, ThrottledError, updateSessionAuthHash } from './login.js';
import { User, type UserInstance } from './models.js';
import { escapeHtml, page, renderPage } from './pages.js';
import { isSafeRedirect } from './redirects.js';
import { PasswordResetTokenGenerator, type TokenUser } from './tokens.js';

function formPage(req: Request, template: string, title: string, form: Form, extra: Record<string, unknown> = {}, options: { intro?: string; status?: number; submit?: string; after?: string } = {}): Promise<Response> {
  return renderPage(req, template, { form, title, ...extra }, () => page(
    `<div class="card"><h1>${escapeHtml(title)}</h1>${options.intro ?? ''}${String(form.renderForm({ request: req, submitLabel: options.submit ?? title }))}${options.after ?? ''}</div>`,
    { title, narrow: true, status: options.status }));
}

function messagePage(req: Request, template: string, title: string, text: string, status = 200): Promise<Response> {
  return renderPage(req, template, { title, text }, () => page(`<div class="card"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></div>`,
    { title, narrow: true, status }));
}

function nextUrl(req: Request): string | null {
  const next = req.method === 'POST' ? req.form.get('next') ?? req.query.get('next') : req.query.get('next');
  return isSafeRedirect(next, req.host, req.isSecure) ? next : null;
}

export async function loginView(req: Request): Promise<Response> {
  const next = nextUrl(req);
  const hidden = next ? `<input type="hidden" name="next" value="${escapeHtml(next)}">` : '';
  if (req.method !== 'POST') {
    if (currentUser(req) && next) return redirect(next);
    return injectNext(await formPage(req, 'registration/login.html', gettext('Log in'), new LoginForm(), { next }), hidden);
  }
  const form = new LoginForm({ input: formInput(req) });
  let status = 200;
  if (await form.isValid()) {
    try {
      const user = await authenticate(form.cleanedData.username, form.cleanedData.password, { throttle: siteThrottle(req), address: req.ip });
      if (user) {
        await login(req, user);
        return redirect(next ?? authSettings().loginRedirectUrl);
      }
      form.addError(null, gettext('Please enter a correct username and password. Note that both fields may be case-sensitive.'));
    } catch (e) {
      if (!(e instanceof ThrottledError)) throw e;
      form.addError(null, throttledMessage(e));
      status = 429;
    }
  }
  const res = await formPage(req, 'registration/login.html', gettext('Log in'), form, { next }, { status: status === 429 ? 429 : 200 });
  if (status === 429) res.setHeader('retry-after', String(authSettings().throttle.window ?? 900));
  return injectNext(res, hidden);
}

/** The throttle's refusal in the visitor's language. */
export function throttledMessage(e: ThrottledError): string {
  const minutes = Math.ceil(e.retryAfter / 60);
  return ngettext('Too many failed logins. Try again in {count} minute.', 'Too many failed logins. Try again in {count} minutes.', minutes);
}

/** The built-in login page carries ?next= through the POST in a hidden field. */
function injectNext(res: Response, hidden: string): Response {
  if (hidden && typeof res.body === 'string') res.body = res.body.replace('<button type="submit">', `${hidden}<button type="submit">`);
  return res;
}

/** POST only (Django 5): a link or image on another site must not be able to log visitors out. */
export async function logoutView(req: Request): Promise<Response> {
  if (req.method !== 'POST') return notAllowed(['POST']);
  await logout(req);
  return redirect(nextUrl(req) ?? authSettings().logoutRedirectUrl);
}

export const passwordChangeView = loginRequired(async (req: Request): Promise<Response> => {
  const user = currentUser(req);
  if (!user) throw new Http404();
  const form = req.method === 'POST' ? passwordChangeForm(user, { input: formInput(req) }) : passwordChangeForm(user);
  if (req.method === 'POST' && await form.isValid()) {
    user.password = await authSettings().hashers.make(String(form.cleanedData.newPassword1));
    await User.objects.filter({ id: user.id }).update({ password: user.password });
    await updateSessionAuthHash(req, user);
    return messagePage(req, 'registration/password_change_done.html', gettext('Password changed'), gettext('Your password was changed.'));
  }
  return formPage(req, 'registration/password_change_form.html', gettext('Change password'), form);
});

let authMailBackend: MailBackend | null = null;
/** The backend password-reset mails go through (default: the site's, EMAIL_URL). */
export function setAuthMailBackend(backend: MailBackend): void {
  authMailBackend = backend;
}

function tokenUser(user: UserInstance): TokenUser {
  return { pk: user.id, password: user.password, lastLogin: user.lastLogin, email: user.email };
}

function tokenGenerator(req: Request): PasswordResetTokenGenerator {
  return new PasswordResetTokenGenerator({ secret: req.site.settings.SECRET_KEY, timeout: authSettings().passwordResetTimeout });
}

export async function passwordResetView(req: Request): Promise<Response> {
  const form = req.method === 'POST' ? new PasswordResetForm({ input: formInput(req) }) : new PasswordResetForm();
  if (req.method === 'POST' && await form.isValid()) {
    const email = form.cleanedData.email;
    const users = await User.objects.filter({ email__iexact: email, isActive: true });
    const backend = authMailBackend ?? mailBackend();
    for (const user of users) {
      if (!user.password || user.password.startsWith('!')) continue;
      const uid = Buffer.from(String(user.id)).toString('base64url');
      const link = req.buildAbsoluteUri(req.reverse('password_reset_confirm', { uidb64: uid, token: tokenGenerator(req).make(tokenUser(user)) }));
      await backend.send([new EmailMessage({
        subject: gettext('Password reset on {site}', { site: req.host }),
        body: ngettext('Someone asked to reset the password for {username} on {site}.\n\nIf it was you, open this link within {count} hour:\n\n{link}\n\nIf not, ignore this message.',
          'Someone asked to reset the password for {username} on {site}.\n\nIf it was you, open this link within {count} hours:\n\n{link}\n\nIf not, ignore this message.',
          Math.round(authSettings().passwordResetTimeout / 3600), { username: user.username, site: req.host, link }),
        from: authSettings().fromEmail,
        to: [user.email],
      })]);
    }
    // The same answer whether or not the address has an account: no account discovery through this form.
    return messagePage(req, 'registration/password_reset_done.html', gettext('Password reset sent'),
      gettext('If an account uses that address, we’ve e-mailed instructions for setting a new password.'));
  }
  return formPage(req, 'registration/password_reset_form.html', gettext('Reset password'), form,
    {}, { intro: `<p class="muted">${escapeHtml(gettext('Enter your e-mail address and we will send you a link to set a new password.'))}</p>`, submit: gettext('Send link') });
}

export async function passwordResetConfirmView(req: Request, params: { uidb64: string; token: string }): Promise<Response> {
  let id = NaN;
  try {
    id = Number(Buffer.from(params.uidb64, 'base64url').toString('utf8'));
  } catch { /* invalid link */ }
  const user = Number.isSafeInteger(id) ? await User.objects.filter({ id, isActive: true }).first() : null;
  if (!user || !tokenGenerator(req).check(tokenUser(user), params.token)) {
    return messagePage(req, 'registration/password_reset_confirm.html', gettext('Invalid link'),
      gettext('The password reset link was invalid, possibly because it has already been used or has expired. Please request a new one.'), 400);
  }
  const form = req.method === 'POST' ? setPasswordForm(user, { input: formInput(req) }) : setPasswordForm(user);
  if (req.method === 'POST' && await form.isValid()) {
    user.password = await authSettings().hashers.make(String(form.cleanedData.newPassword1));
    await User.objects.filter({ id: user.id }).update({ password: user.password });
    return messagePage(req, 'registration/password_reset_complete.html', gettext('Password set'), gettext('Your password has been set. You may log in now.'));
  }
  return formPage(req, 'registration/password_reset_confirm.html', gettext('Set a new password'), form);
}
