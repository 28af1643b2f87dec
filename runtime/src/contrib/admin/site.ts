// The admin site: registered models get an index, change lists (columns, search, filters, ordering, pages, bulk
// actions), add/change/delete pages built from model forms, and a history. Staff only; every page checks the
// model's view/add/change/delete permission itself, so no URL reaches data the user may not see.
// Views gather data; the pages are templates (templates/admin/*.html, styled by static/admin/css/base.css) rendered
// through the site's engine, so a site's own templates/admin/... wins, for every model or for one
// (admin/<app>/<model>/change_list.html, then admin/<app>/change_list.html, then admin/change_list.html).
import { Http404, ImproperlyConfigured, PermissionDenied } from '../../errors.js';
import { or, ProtectedError, type AnyInstance, type AnyModelClass, type Filter, type ModelMeta } from '../../db/index.js';
import { escapeHtml, isSafe, markSafe, type SafeHtml } from '../../forms/html.js';
import { formatDate } from '../../i18n/formats.js';
import type { Translatable } from '../../i18n/lazy.js';
import { gettext, gettextLazy, gettextNoop } from '../../i18n/translation.js';
import { modelForm, objectLabel, type ModelForm } from '../../forms/model-form.js';
import { formInput } from '../../forms/uploads.js';
import type { Request } from '../../http/request.js';
import type { Response } from '../../http/response.js';
import { notAllowed, redirect } from '../../http/responses.js';
import { path, type URLEntry } from '../../urls/patterns.js';
import { Paginator } from '../../views/paginator.js';
import { render } from '../../views/shortcuts.js';
import { LoginForm } from '../auth/forms.js';
import { authenticate, currentUser, login, logout, siteThrottle, ThrottledError } from '../auth/login.js';
import type { UserInstance } from '../auth/models.js';
import { hasPerm } from '../auth/permissions.js';
import { isSafeRedirect } from '../auth/redirects.js';
import { throttledMessage } from '../auth/views.js';
import { addMessage } from '../messages/middleware.js';
import { levels } from '../messages/message.js';
import { ADDITION, CHANGE, DELETION, LogEntry } from './models.js';
import { ModelAdmin, type AdminAction, type ModelAdminOptions } from './options.js';

type Action = 'add' | 'change' | 'delete' | 'view';

/** A breadcrumb: its label, and its link (null for the page itself). */
type Crumb = [string, string | null];

const ACTION_NAMES: readonly Translatable[] = ['', gettextLazy('Added'), gettextLazy('Changed'), gettextLazy('Deleted')];

// Change messages are stored in English and shown in the reader's language.
const LOGGED = { added: gettextNoop('Added.'), deleted: gettextNoop('Deleted.'), unchanged: gettextNoop('No fields changed.') };

function changeMessage(stored: string): string {
  const changed = /^Changed (.+)\.$/.exec(stored);
  if (changed) return gettext('Changed {fields}.', { fields: changed[1] });
  const action = /^Action: (.+)$/.exec(stored);
  if (action) return gettext('Action: {action}', { action: action[1] });
  return stored ? gettext(stored) : '';
}

function flash(req: Request, text: string, level: number = levels.SUCCESS): void {
  try {
    addMessage(req, level, text);
  } catch {
    // Without messagesMiddleware the admin still works; the notice is simply not shown.
  }
}

function qs(params: Record<string, string | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** An admin: its registered models, its pages (include('admin/', site.urls)) and its title. */
export class AdminSite {
  readonly #registry = new Map<string, ModelAdmin>();
  readonly #title: Translatable;
  readonly #prefix: string;

  /** prefix: where the site's URLs include the admin, e.g. '/admin/'. */
  constructor(options: { title?: Translatable; prefix?: string } = {}) {
    this.#title = options.title ?? gettextLazy('Site administration');
    this.#prefix = (options.prefix ?? '/admin/').replace(/\/?$/, '/');
  }

  /** Any model class (typed models are accepted as they are). */
  register(model: { readonly _meta: ModelMeta }, options: ModelAdminOptions = {}): ModelAdmin {
    const ma = new ModelAdmin(model as unknown as AnyModelClass, options);
    const key = `${ma.app}/${ma.modelName}`;
    if (this.#registry.has(key)) throw new ImproperlyConfigured(`${ma.model._meta.label} is already registered with this admin site.`);
    this.#registry.set(key, ma);
    return ma;
  }

  isRegistered(model: { readonly _meta: ModelMeta }): boolean {
    return [...this.#registry.values()].some((m) => (m.model as unknown) === model);
  }

  /** The admin's title in the active language. */
  get title(): string {
    return String(this.#title);
  }

  get modelAdmins(): ModelAdmin[] {
    return [...this.#registry.values()];
  }

  url(rest = ''): string {
    return this.#prefix + rest;
  }

  modelUrl(ma: ModelAdmin, rest = ''): string {
    return this.url(`${ma.app}/${ma.modelName}/${rest}`);
  }

  /** include('admin/', site.urls) */
  get urls(): URLEntry[] {
    const v = <P>(fn: (req: Request, params: P) => Promise<Response>) => (req: Request, params: P) => fn.call(this, req, params);
    return [
      path('', v(this.indexView), { name: 'admin:index' }),
      path('login/', v(this.loginView), { name: 'admin:login' }),
      path('logout/', v(this.logoutView), { name: 'admin:logout' }),
      path('<str:app>/<str:model>/', v(this.changelistView), { name: 'admin:changelist' }),
      path('<str:app>/<str:model>/add/', v(this.addView), { name: 'admin:add' }),
      path('<str:app>/<str:model>/<str:pk>/change/', v(this.changeView), { name: 'admin:change' }),
      path('<str:app>/<str:model>/<str:pk>/delete/', v(this.deleteView), { name: 'admin:delete' }),
      path('<str:app>/<str:model>/<str:pk>/history/', v(this.historyView), { name: 'admin:history' }),
    ];
  }

  // ------------------------------------------------------------------ access

  #staff(req: Request): UserInstance | null {
    const user = currentUser(req);
    return user && user.isActive && user.isStaff ? user : null;
  }

  #toLogin(req: Request): Response {
    return redirect(`${this.url('login/')}?next=${encodeURIComponent(req.url)}`);
  }

  #modelAdmin(params: { app: string; model: string }): ModelAdmin {
    const ma = this.#registry.get(`${params.app}/${params.model}`);
    if (!ma) throw new Http404('No such model in the admin.');
    return ma;
  }

  async #can(user: UserInstance, ma: ModelAdmin, action: Action): Promise<boolean> {
    if (await hasPerm(user, ma.perm(action))) return true;
    // Django's rule: change permission implies view.
    return action === 'view' && hasPerm(user, ma.perm('change'));
  }

  async #require(user: UserInstance, ma: ModelAdmin, action: Action): Promise<void> {
    if (!(await this.#can(user, ma, action))) throw new PermissionDenied(`You may not ${action} ${ma.verboseNamePlural}.`);
  }

  async #object(ma: ModelAdmin, pk: string): Promise<AnyInstance> {
    const pkField = ma.model._meta.pk;
    const value = ['auto', 'integer', 'bigInteger'].includes(pkField.type) ? Number(pk) : pk;
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Http404();
    const obj = await ma.model.objects.filter({ pk: value }).first();
    if (!obj) throw new Http404(`No ${ma.verboseName} with that key.`);
    return obj;
  }

  #repr(ma: ModelAdmin, obj: AnyInstance): string {
    return ma.repr ? ma.repr(obj) : objectLabel(obj);
  }

  async #log(user: UserInstance, ma: ModelAdmin, obj: AnyInstance, flag: number, message = ''): Promise<void> {
    await LogEntry.objects.create({
      userId: user.id, contentType: `${ma.app}.${ma.modelName}`, objectId: String(obj.pk),
      objectRepr: this.#repr(ma, obj).slice(0, 200), actionFlag: flag, changeMessage: message,
    });
  }

  // ------------------------------------------------------------------ pages

  /** The most specific admin template the site's engine has: the model's, the app's, then the admin's own. */
  #template(req: Request, name: string, ma?: ModelAdmin): string {
    const names = ma ? [`admin/${ma.app}/${ma.modelName}/${name}`, `admin/${ma.app}/${name}`, `admin/${name}`] : [`admin/${name}`];
    const found = names.find((n) => req.site.templates.has(n));
    if (!found) {
      throw new ImproperlyConfigured(`The admin's templates were not found (${names.at(-1)}). List adminApp in the site's apps: `
        + 'defineSite({ apps: [authApp, sessionsApp, messagesApp, adminApp, ...] }).');
    }
    return found;
  }

  /** A page of the admin: the template with what every admin page shows (user tools, breadcrumbs, messages). */
  #page(req: Request, name: string, title: string, context: Record<string, unknown>, options: { model?: ModelAdmin; crumbs?: Crumb[]; status?: number } = {}): Promise<Response> {
    const ma = options.model;
    return render(req, this.#template(req, name, ma), {
      title, site_title: this.title, admin_url: this.url(), logout_url: this.url('logout/'), user: currentUser(req),
      messages: req.messages ?? [],
      breadcrumbs: (options.crumbs ?? []).map(([label, url]) => ({ label, url })),
      ...(ma ? { opts: { app: ma.app, model: ma.modelName, verbose_name: ma.verboseName, verbose_name_plural: ma.verboseNamePlural } } : {}),
      ...context,
    }, { status: options.status ?? 200 });
  }

  /** Breadcrumbs down to a model's change list (a link unless it is the page itself). */
  #crumbs(ma: ModelAdmin, ...rest: Crumb[]): Crumb[] {
    return [[cap(ma.app), null], [cap(ma.verboseNamePlural), rest.length ? this.modelUrl(ma) : null], ...rest];
  }

  // ------------------------------------------------------------------ views

  async loginView(req: Request): Promise<Response> {
    const nextParam = req.method === 'POST' ? req.form.get('next') : req.query.get('next');
    const next = isSafeRedirect(nextParam, req.host, req.isSecure) ? nextParam : this.url();
    if (req.method === 'GET' && this.#staff(req)) return redirect(next);
    const form = req.method === 'POST' ? new LoginForm({ input: formInput(req) }) : new LoginForm();
    let status = 200;
    if (req.method === 'POST' && await form.isValid()) {
      try {
        const user = await authenticate(form.cleanedData.username, form.cleanedData.password, { throttle: siteThrottle(req), address: req.ip });
        if (user && user.isStaff) {
          await login(req, user);
          return redirect(next);
        }
        form.addError(null, gettext('Please enter the correct username and password for a staff account. Note that both fields may be case-sensitive.'));
      } catch (e) {
        if (!(e instanceof ThrottledError)) throw e;
        form.addError(null, throttledMessage(e));
        status = 429;
      }
    }
    return this.#page(req, 'login.html', gettext('Log in'), { form, next, action: this.url('login/') }, { status });
  }

  async logoutView(req: Request): Promise<Response> {
    if (req.method !== 'POST') return notAllowed(['POST']);
    await logout(req);
    return redirect(this.url('login/'));
  }

  async indexView(req: Request): Promise<Response> {
    const user = this.#staff(req);
    if (!user) return this.#toLogin(req);
    const byApp = new Map<string, Array<{ name: string; url: string; add_url: string }>>();
    for (const ma of this.#registry.values()) {
      const canView = await this.#can(user, ma, 'view');
      const canAdd = await this.#can(user, ma, 'add');
      if (!canView && !canAdd) continue;
      const row = { name: cap(ma.verboseNamePlural), url: canView ? this.modelUrl(ma) : '', add_url: canAdd ? this.modelUrl(ma, 'add/') : '' };
      byApp.set(ma.app, [...(byApp.get(ma.app) ?? []), row]);
    }
    const appList = [...byApp].sort(([a], [b]) => a.localeCompare(b)).map(([label, models]) => ({ label, name: cap(label), models }));
    const recent = await LogEntry.objects.filter({ userId: user.id }).limit(10);
    return this.#page(req, 'index.html', this.title, {
      app_list: appList,
      recent_actions: recent.map((e) => ({ action: String(ACTION_NAMES[e.actionFlag] ?? ''), content_type: e.contentType, object_repr: e.objectRepr })),
    });
  }

  async changelistView(req: Request, params: { app: string; model: string }): Promise<Response> {
    const user = this.#staff(req);
    if (!user) return this.#toLogin(req);
    const ma = this.#modelAdmin(params);
    await this.#require(user, ma, 'view');
    if (req.method === 'POST') return this.#runAction(req, user, ma);
    if (req.method !== 'GET' && req.method !== 'HEAD') return notAllowed(['GET', 'HEAD', 'POST']);
    const meta = ma.model._meta;
    const q = (req.query.get('q') ?? '').trim().slice(0, 200);
    let qs0 = ma.model.objects.all();
    if (q && ma.search.length) {
      const terms = q.split(/\s+/).slice(0, 10);
      for (const term of terms) qs0 = qs0.filter(or(...ma.search.map((s) => ({ [`${s}__icontains`]: term }))));
    }
    // Only declared filters are read from the URL: arbitrary lookups (?password__startswith=) would leak data.
    const active: Record<string, string> = {};
    for (const name of ma.listFilter) {
      const v = req.query.get(name);
      if (v === null || v === '') continue;
      const field = meta.field(name);
      active[name] = v;
      const key = field.type === 'foreignKey' ? `${name}Id` : name;
      let value: unknown = v;
      if (field.type === 'boolean') value = v === '1' || v === 'true';
      else if (field.type === 'foreignKey' || ['integer', 'bigInteger'].includes(field.type)) {
        value = Number(v);
        if (!Number.isSafeInteger(value)) throw new Http404('Bad filter value.');
      }
      qs0 = qs0.filter({ [key]: value } as Filter);
    }
    const sortable = ma.listDisplay.filter((c): c is string => typeof c === 'string' && c !== '__str__' && meta.maybeField(c)?.concrete === true);
    const o = req.query.get('o') ?? '';
    const ordering = sortable.includes(o.replace(/^-/, '')) ? [o] : ma.ordering;
    qs0 = qs0.orderBy(...ordering, ...(ordering.includes('pk') || ordering.includes('-pk') ? [] : ['-pk']));
    const pageObj = await new Paginator(qs0, ma.listPerPage).page(req.query.get('p') ?? 1);
    const canChange = await this.#can(user, ma, 'change');
    const state = { q, o: ordering[0] === o ? o : undefined, ...active };
    const headers = ma.listDisplay.map((c) => {
      if (typeof c !== 'string') return { label: c.label, url: '', sort: '' };
      if (c === '__str__') return { label: cap(ma.verboseName), url: '', sort: '' };
      const label = cap(String(meta.field(c).options.verboseName ?? humanise(c)));
      if (!sortable.includes(c)) return { label, url: '', sort: '' };
      const desc = ordering[0] === c;
      return { label, url: qs({ ...state, o: desc ? `-${c}` : c }), sort: desc ? 'ascending' : ordering[0] === `-${c}` ? 'descending' : 'none' };
    });
    const results = pageObj.items.map((obj) => ({
      pk: String(obj.pk), repr: this.#repr(ma, obj),
      url: canChange ? this.modelUrl(ma, `${encodeURIComponent(String(obj.pk))}/change/`) : '',
      cells: ma.listDisplay.map((c) => this.#cell(ma, obj, c)),
    }));
    const listTitle = canChange ? gettext('Select {name} to change', { name: ma.verboseName }) : gettext('Select {name} to view', { name: ma.verboseName });
    return this.#page(req, 'change_list.html', listTitle, {
      search: ma.search.length ? { q, hidden: Object.entries(active).map(([name, value]) => ({ name, value })) } : null,
      add_url: await this.#can(user, ma, 'add') ? this.modelUrl(ma, 'add/') : '',
      actions: (await this.#allowedActions(user, ma)).map((a) => ({ name: a.name, label: a.label })),
      result_headers: headers,
      results,
      count: pageObj.count,
      count_label: pageObj.count === 1 ? ma.verboseName : ma.verboseNamePlural,
      page: {
        number: pageObj.number, num_pages: pageObj.numPages,
        previous_url: pageObj.hasPrevious ? qs({ ...state, p: String(pageObj.number - 1) }) : '',
        next_url: pageObj.hasNext ? qs({ ...state, p: String(pageObj.number + 1) }) : '',
      },
      filters: await this.#filters(ma, state, active),
    }, { model: ma, crumbs: this.#crumbs(ma) });
  }

  /** A list cell as HTML: choices by label, booleans as marks, empty values as a dash; text is escaped. */
  #cell(ma: ModelAdmin, obj: AnyInstance, column: string | { value: (o: AnyInstance) => unknown }): SafeHtml {
    let value: unknown;
    if (typeof column !== 'string') value = column.value(obj);
    else if (column === '__str__') value = this.#repr(ma, obj);
    else {
      const field = ma.model._meta.field(column);
      value = (obj as Record<string, unknown>)[field.type === 'foreignKey' ? field.attname : column];
      const choices = field.options.choices as unknown[] | undefined;
      if (Array.isArray(choices)) {
        const hit = choices.find((c) => Array.isArray(c) && c[0] === value) as [unknown, string] | undefined;
        if (hit) value = hit[1];
      }
    }
    if (isSafe(value)) return value;
    if (value === null || value === undefined || value === '') return markSafe('<span class="muted">—</span>');
    if (typeof value === 'boolean') return markSafe(`<span aria-label="${escapeHtml(value ? gettext('yes') : gettext('no'))}">${value ? '✔' : '✘'}</span>`);
    if (value instanceof Date) return markSafe(escapeHtml(formatDate(value, 'datetime')));
    return markSafe(escapeHtml(typeof value === 'object' ? JSON.stringify(value) : String(value)));
  }

  async #filters(ma: ModelAdmin, state: Record<string, string | undefined>, active: Record<string, string>) {
    const out: Array<{ title: string; choices: Array<{ label: string; url: string; selected: boolean }> }> = [];
    for (const name of ma.listFilter) {
      const field = ma.model._meta.field(name);
      let options: Array<[string, string]> = [];
      if (field.type === 'boolean') options = [['1', gettext('Yes')], ['0', gettext('No')]];
      else if (Array.isArray(field.options.choices)) {
        options = (field.options.choices as unknown[]).map((c) => (Array.isArray(c) ? [String(c[0]), String(c[1])] : [String(c), String(c)]));
      } else if (field.type === 'foreignKey') {
        const related = (field as unknown as { related(): AnyModelClass }).related();
        options = (await related.objects.all().limit(50)).map((o) => [String(o.pk), objectLabel(o)]);
      }
      const choice = (value: string | undefined, label: string) => ({
        label, url: qs({ ...state, [name]: value, p: undefined }), selected: (active[name] ?? undefined) === value,
      });
      out.push({ title: String(field.options.verboseName ?? humanise(name)), choices: [choice(undefined, gettext('All')), ...options.map(([v, l]) => choice(v, l))] });
    }
    return out;
  }

  async #allowedActions(user: UserInstance, ma: ModelAdmin): Promise<AdminAction[]> {
    const all: AdminAction[] = [{
      name: 'delete_selected', label: gettext('Delete selected {items}', { items: ma.verboseNamePlural }), permission: 'delete',
      run: async () => '',
    }, ...ma.actions];
    const out: AdminAction[] = [];
    for (const a of all) if (await this.#can(user, ma, a.permission ?? 'change')) out.push(a);
    return out;
  }

  async #runAction(req: Request, user: UserInstance, ma: ModelAdmin): Promise<Response> {
    const name = req.form.get('action') ?? '';
    const action = (await this.#allowedActions(user, ma)).find((a) => a.name === name);
    if (!action) throw new PermissionDenied('That action does not exist or you may not run it.');
    const ids = req.form.getAll('_selected').slice(0, 10_000);
    const pkType = ma.model._meta.pk.type;
    const keys = ids.map((v) => (['auto', 'integer', 'bigInteger'].includes(pkType) ? Number(v) : v)).filter((v) => typeof v !== 'number' || Number.isSafeInteger(v));
    const objects = keys.length ? await ma.model.objects.filter({ pk__in: keys }) : [];
    if (!objects.length) {
      flash(req, gettext('Items must be selected in order to perform actions on them. No items have been changed.'), levels.WARNING);
      return redirect(this.modelUrl(ma));
    }
    if (action.name === 'delete_selected') {
      if (req.form.get('confirm') !== 'yes') {
        return this.#page(req, 'delete_selected_confirmation.html', gettext('Are you sure?'), {
          objects: objects.map((o) => ({ pk: String(o.pk), repr: this.#repr(ma, o) })), cancel_url: this.modelUrl(ma),
        }, { model: ma, crumbs: this.#crumbs(ma, [gettext('Delete multiple objects'), null]) });
      }
      let n = 0;
      for (const o of objects) {
        try {
          await o.delete();
          await this.#log(user, ma, o, DELETION, LOGGED.deleted);
          n++;
        } catch (e) {
          if (!(e instanceof ProtectedError)) throw e;
          flash(req, gettext('Cannot delete {name}: other objects depend on it.', { name: this.#repr(ma, o) }), levels.ERROR);
        }
      }
      flash(req, gettext('Successfully deleted {count} {items}.', { count: n, items: n === 1 ? ma.verboseName : ma.verboseNamePlural }));
      return redirect(this.modelUrl(ma));
    }
    const message = await action.run(req, objects);
    for (const o of objects) await this.#log(user, ma, o, CHANGE, `Action: ${action.label}`);
    if (message) flash(req, message);
    return redirect(this.modelUrl(ma));
  }

  async #formFor(ma: ModelAdmin): Promise<Awaited<ReturnType<typeof modelForm>>> {
    return modelForm(ma.model, { ...(ma.fields ? { fields: ma.fields } : {}), label: ma.repr });
  }

  #formPage(req: Request, ma: ModelAdmin, title: string, form: ModelForm, obj: AnyInstance | null, status = 200): Promise<Response> {
    const key = obj ? encodeURIComponent(String(obj.pk)) : '';
    return this.#page(req, 'change_form.html', title, {
      form, original: obj, read_only: false,
      history_url: obj ? this.modelUrl(ma, `${key}/history/`) : '', delete_url: obj ? this.modelUrl(ma, `${key}/delete/`) : '',
    }, { model: ma, crumbs: this.#crumbs(ma, [obj ? this.#repr(ma, obj) : gettext('Add {name}', { name: ma.verboseName }), null]), status });
  }

  async addView(req: Request, params: { app: string; model: string }): Promise<Response> {
    const user = this.#staff(req);
    if (!user) return this.#toLogin(req);
    const ma = this.#modelAdmin(params);
    await this.#require(user, ma, 'add');
    const builder = await this.#formFor(ma);
    const form = await builder.bind(undefined, req.method === 'POST' ? { input: formInput(req) } : {});
    if (req.method === 'POST' && await form.isValid()) {
      const obj = await form.save();
      await this.#log(user, ma, obj, ADDITION, LOGGED.added);
      flash(req, gettext('The {name} “{object}” was added successfully.', { name: ma.verboseName, object: this.#repr(ma, obj) }));
      return redirect(this.modelUrl(ma));
    }
    return this.#formPage(req, ma, gettext('Add {name}', { name: ma.verboseName }), form, null, req.method === 'POST' ? 400 : 200);
  }

  async changeView(req: Request, params: { app: string; model: string; pk: string }): Promise<Response> {
    const user = this.#staff(req);
    if (!user) return this.#toLogin(req);
    const ma = this.#modelAdmin(params);
    const canChange = await this.#can(user, ma, 'change');
    if (!canChange) {
      await this.#require(user, ma, 'view');
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new PermissionDenied(`You may not change ${ma.verboseNamePlural}.`);
    }
    const obj = await this.#object(ma, params.pk);
    const builder = await this.#formFor(ma);
    const before = await builder.bind(obj);
    const beforeValues = { ...before.initial } as Record<string, unknown>;
    if (req.method === 'POST') {
      const form = await builder.bind(obj, { input: formInput(req) });
      if (await form.isValid()) {
        const changed = form.changedFields(beforeValues);
        await form.save();
        await this.#log(user, ma, obj, CHANGE, changed.length ? `Changed ${changed.join(', ')}.` : LOGGED.unchanged);
        flash(req, gettext('The {name} “{object}” was changed successfully.', { name: ma.verboseName, object: this.#repr(ma, obj) }));
        return redirect(this.modelUrl(ma));
      }
      return this.#formPage(req, ma, gettext('Change {name}', { name: ma.verboseName }), form, obj, 400);
    }
    if (!canChange) {
      return this.#page(req, 'change_form.html', gettext('View {name}', { name: ma.verboseName }), {
        original: obj, read_only: true, fields: Object.keys(before.fields).map((name) => ({ label: humanise(name), value: this.#cell(ma, obj, name) })),
      }, { model: ma, crumbs: this.#crumbs(ma, [this.#repr(ma, obj), null]) });
    }
    return this.#formPage(req, ma, gettext('Change {name}', { name: ma.verboseName }), before, obj);
  }

  async deleteView(req: Request, params: { app: string; model: string; pk: string }): Promise<Response> {
    const user = this.#staff(req);
    if (!user) return this.#toLogin(req);
    const ma = this.#modelAdmin(params);
    await this.#require(user, ma, 'delete');
    const obj = await this.#object(ma, params.pk);
    const label = this.#repr(ma, obj);
    if (req.method === 'POST') {
      try {
        await obj.delete();
      } catch (e) {
        if (!(e instanceof ProtectedError)) throw e;
        return this.#page(req, 'delete_confirmation.html', gettext('Cannot delete'), { object_repr: label, protected: true }, { model: ma, status: 409 });
      }
      await this.#log(user, ma, obj, DELETION, LOGGED.deleted);
      flash(req, gettext('The {name} “{object}” was deleted successfully.', { name: ma.verboseName, object: label }));
      return redirect(this.modelUrl(ma));
    }
    return this.#page(req, 'delete_confirmation.html', gettext('Are you sure?'), {
      object_repr: label, protected: false, cancel_url: this.modelUrl(ma, `${encodeURIComponent(String(obj.pk))}/change/`),
    }, { model: ma, crumbs: this.#crumbs(ma, [label, null], [gettext('Delete'), null]) });
  }

  async historyView(req: Request, params: { app: string; model: string; pk: string }): Promise<Response> {
    const user = this.#staff(req);
    if (!user) return this.#toLogin(req);
    const ma = this.#modelAdmin(params);
    await this.#require(user, ma, 'view');
    const obj = await this.#object(ma, params.pk);
    const entries = await LogEntry.objects.filter({ contentType: `${ma.app}.${ma.modelName}`, objectId: String(obj.pk) }).selectRelated('user');
    return this.#page(req, 'object_history.html', gettext('Change history: {object}', { object: this.#repr(ma, obj) }), {
      object_repr: this.#repr(ma, obj),
      entries: entries.map((e) => ({
        time: formatDate(e.actionTime, 'datetime'), time_iso: e.actionTime.toISOString(),
        user: (e.user as UserInstance | undefined)?.username ?? String(e.userId),
        action: String(ACTION_NAMES[e.actionFlag] ?? ''), message: changeMessage(e.changeMessage),
      })),
    }, { model: ma, crumbs: this.#crumbs(ma, [this.#repr(ma, obj), this.modelUrl(ma, `${encodeURIComponent(String(obj.pk))}/change/`)], [gettext('History'), null]) });
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function humanise(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
}

/** The default admin site; apps register their models on it in their admin.ts. */
export const adminSite = new AdminSite();
export { markSafe };
