// The admin site: registered models get an index, change lists (columns, search, filters, a date hierarchy, ordering,
// pages, bulk actions with a confirmation step), add/change/delete pages built from model forms (fieldsets, read-only
// values, inline related rows, search pickers for foreign keys), and a history of every change. Staff only; every page
// checks the model's view/add/change/delete permission itself, so no URL reaches data the user may not see.
// Views gather data; the pages are templates (templates/admin/*.html, styled by static/admin/css/base.css) rendered
// through the site's engine, so a site's own templates/admin/... wins, for every model or for one
// (admin/<app>/<model>/change_list.html, then admin/<app>/change_list.html, then admin/change_list.html).
import { Http404, ImproperlyConfigured, PermissionDenied } from '../../errors.js';
import {
  atomic, ForeignKey, or, ProtectedError, type AnyInstance, type AnyModelClass, type Field as DbField, type ModelMeta,
} from '../../db/index.js';
import type { Field } from '../../forms/fields.js';
import { markSafe, type SafeHtml } from '../../forms/html.js';
import { formatDate } from '../../i18n/formats.js';
import type { Translatable } from '../../i18n/lazy.js';
import { gettext, gettextLazy } from '../../i18n/translation.js';
import { modelForm, objectLabel, type ModelForm } from '../../forms/model-form.js';
import { formInput, type FormInput } from '../../forms/uploads.js';
import type { Request } from '../../http/request.js';
import type { Response } from '../../http/response.js';
import { json, notAllowed, redirect } from '../../http/responses.js';
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
import { AutocompleteField, AutocompleteSelect } from './autocomplete.js';
import { currentFile, display, labelOf, valueOf } from './display.js';
import { qs, readFilters, renderFilters, renderHierarchy } from './filters.js';
import { describeChange, encodeChange, type ChangePart } from './history.js';
import { InlineFormset, type InlinePerms } from './inlines.js';
import { ADDITION, CHANGE, DELETION, LogEntry } from './models.js';
import {
  flattenLines, ModelAdmin, type AdminAction, type AdminPermission, type FieldLine, type InlineModelAdmin, type ModelAdminOptions,
} from './options.js';

type Action = AdminPermission;

/** A breadcrumb: its label, and its link (null for the page itself). */
type Crumb = [string, string | null];

const ACTION_NAMES: readonly Translatable[] = ['', gettextLazy('Added'), gettextLazy('Changed'), gettextLazy('Deleted')];

/** Results per page of an autocomplete search. */
const AUTOCOMPLETE_PAGE = 20;

function flash(req: Request, text: string, level: number = levels.SUCCESS): void {
  try {
    addMessage(req, level, text);
  } catch {
    // Without messagesMiddleware the admin still works; the notice is simply not shown.
  }
}

function keyFor(model: AnyModelClass, raw: string): string | number | null {
  const type = model._meta.pk.type;
  if (!['auto', 'integer', 'bigInteger'].includes(type)) return raw;
  const n = Number(raw);
  return raw !== '' && Number.isSafeInteger(n) ? n : null;
}

/** What one form line of a fieldset shows: form fields (their HTML block) and read-only values. */
interface LineField { name: string; label: string; block: SafeHtml | null; value: SafeHtml | null; errors: boolean }

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

  modelUrl(ma: { app: string; modelName: string }, rest = ''): string {
    return this.url(`${ma.app}/${ma.modelName}/${rest}`);
  }

  /** include('admin/', site.urls) */
  get urls(): URLEntry[] {
    const v = <P>(fn: (req: Request, params: P) => Promise<Response>) => (req: Request, params: P) => fn.call(this, req, params);
    return [
      path('', v(this.indexView), { name: 'admin:index' }),
      path('login/', v(this.loginView), { name: 'admin:login' }),
      path('logout/', v(this.logoutView), { name: 'admin:logout' }),
      path('autocomplete/', v(this.autocompleteView), { name: 'admin:autocomplete' }),
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

  #adminFor(model: AnyModelClass): ModelAdmin | undefined {
    return [...this.#registry.values()].find((m) => m.model === model || m.model._meta.label === model._meta.label);
  }

  async #can(user: UserInstance, ma: { perm(a: Action): string }, action: Action): Promise<boolean> {
    if (await hasPerm(user, ma.perm(action))) return true;
    // Django's rule: change permission implies view.
    return action === 'view' && hasPerm(user, ma.perm('change'));
  }

  async #require(user: UserInstance, ma: ModelAdmin, action: Action): Promise<void> {
    if (!(await this.#can(user, ma, action))) throw new PermissionDenied(`You may not ${action} ${ma.verboseNamePlural}.`);
  }

  async #object(ma: ModelAdmin, pk: string): Promise<AnyInstance> {
    const value = keyFor(ma.model, pk);
    if (value === null) throw new Http404();
    const obj = await ma.model.objects.filter({ pk: value }).first();
    if (!obj) throw new Http404(`No ${ma.verboseName} with that key.`);
    return obj;
  }

  #repr(ma: ModelAdmin, obj: AnyInstance): string {
    return ma.repr ? ma.repr(obj) : objectLabel(obj);
  }

  /** An object's label: its model's admin repr when registered, else its string form. */
  #label(obj: AnyInstance): string {
    const ma = this.#adminFor(obj.constructor as AnyModelClass);
    return ma ? this.#repr(ma, obj) : objectLabel(obj);
  }

  async #log(user: UserInstance, ma: ModelAdmin, obj: AnyInstance, flag: number, parts: ChangePart[]): Promise<void> {
    await LogEntry.objects.create({
      userId: user.id, contentType: `${ma.app}.${ma.modelName}`, objectId: String(obj.pk),
      objectRepr: this.#repr(ma, obj).slice(0, 200), actionFlag: flag, changeMessage: encodeChange(parts),
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
    let list = this.#searched(ma, q);
    const { lookups, active } = readFilters(ma, req.query);
    if (lookups.length) list = list.filter(...lookups);
    const sortable = ma.listDisplay.filter((c): c is string => typeof c === 'string' && c !== '__str__' && meta.maybeField(c)?.concrete === true);
    const o = req.query.get('o') ?? '';
    const ordering = sortable.includes(o.replace(/^-/, '')) ? [o] : [...ma.ordering];
    const ordered = list.orderBy(...ordering, ...(ordering.includes('pk') || ordering.includes('-pk') ? [] : ['-pk']));
    const pageObj = await new Paginator(ordered, ma.listPerPage).page(req.query.get('p') ?? 1);
    const canChange = await this.#can(user, ma, 'change');
    const state = { q, o: ordering[0] === o ? o : undefined, ...active };
    const headers = ma.listDisplay.map((c) => {
      if (typeof c !== 'string') return { label: String(c.label), url: '', sort: '' };
      if (c === '__str__') return { label: cap(ma.verboseName), url: '', sort: '' };
      const label = labelOf(ma.model, c);
      if (!sortable.includes(c)) return { label, url: '', sort: '' };
      const desc = ordering[0] === c;
      return { label, url: qs({ ...state, o: desc ? `-${c}` : c }), sort: desc ? 'ascending' : ordering[0] === `-${c}` ? 'descending' : 'none' };
    });
    const results = await Promise.all(pageObj.items.map(async (obj) => ({
      pk: String(obj.pk), repr: this.#repr(ma, obj),
      url: canChange ? this.modelUrl(ma, `${encodeURIComponent(String(obj.pk))}/change/`) : '',
      cells: await Promise.all(ma.listDisplay.map(async (c) => (c === '__str__' ? display(this.#repr(ma, obj)) : display(await valueOf(ma.model, obj, c))))),
    })));
    const listTitle = canChange ? gettext('Select {name} to change', { name: ma.verboseName }) : gettext('Select {name} to view', { name: ma.verboseName });
    return this.#page(req, 'change_list.html', listTitle, {
      search: ma.searchFields.length ? { q, hidden: Object.entries(active).map(([name, value]) => ({ name, value })) } : null,
      add_url: await this.#can(user, ma, 'add') ? this.modelUrl(ma, 'add/') : '',
      actions: (await this.#allowedActions(user, ma)).map((a) => ({ name: a.name, label: actionLabel(a) })),
      result_headers: headers,
      results,
      count: pageObj.count,
      count_label: pageObj.count === 1 ? ma.verboseName : ma.verboseNamePlural,
      page: {
        number: pageObj.number, num_pages: pageObj.numPages,
        previous_url: pageObj.hasPrevious ? qs({ ...state, p: String(pageObj.number - 1) }) : '',
        next_url: pageObj.hasNext ? qs({ ...state, p: String(pageObj.number + 1) }) : '',
      },
      filters: await renderFilters(ma, state, active, (o) => this.#label(o)),
      date_hierarchy: await renderHierarchy(ma, list, state, active),
    }, { model: ma, crumbs: this.#crumbs(ma) });
  }

  /** The model's rows matching every word of `q` in one of the search fields. */
  #searched(ma: ModelAdmin, q: string) {
    let list = ma.model.objects.all();
    if (q && ma.searchFields.length) {
      for (const term of q.split(/\s+/).slice(0, 10)) list = list.filter(or(...ma.searchFields.map((s) => ({ [`${s}__icontains`]: term }))));
    }
    return list;
  }

  async #allowedActions(user: UserInstance, ma: ModelAdmin): Promise<AdminAction[]> {
    const all: AdminAction[] = [{
      name: 'delete_selected', description: gettext('Delete selected {items}', { items: ma.verboseNamePlural }), permission: 'delete',
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
    const keys = req.form.getAll('_selected').slice(0, 10_000).map((v) => keyFor(ma.model, v)).filter((v) => v !== null);
    const objects = keys.length ? await ma.model.objects.filter({ pk__in: keys }) : [];
    if (!objects.length) {
      flash(req, gettext('Items must be selected in order to perform actions on them. No items have been changed.'), levels.WARNING);
      return redirect(this.modelUrl(ma));
    }
    const confirmed = req.form.get('confirm') === 'yes';
    const crumb = (label: string) => this.#crumbs(ma, [label, null]);
    const listed = objects.map((o) => ({ pk: String(o.pk), repr: this.#repr(ma, o) }));
    if (action.name === 'delete_selected') {
      if (!confirmed) {
        return this.#page(req, 'delete_selected_confirmation.html', gettext('Are you sure?'), {
          objects: listed, cancel_url: this.modelUrl(ma),
        }, { model: ma, crumbs: crumb(gettext('Delete multiple objects')) });
      }
      let n = 0;
      for (const o of objects) {
        try {
          await o.delete();
          await this.#log(user, ma, o, DELETION, [{ deleted: {} }]);
          n++;
        } catch (e) {
          if (!(e instanceof ProtectedError)) throw e;
          flash(req, gettext('Cannot delete {name}: other objects depend on it.', { name: this.#repr(ma, o) }), levels.ERROR);
        }
      }
      flash(req, gettext('Successfully deleted {count} {items}.', { count: n, items: n === 1 ? ma.verboseName : ma.verboseNamePlural }));
      return redirect(this.modelUrl(ma));
    }
    const label = actionLabel(action);
    if (action.confirm && !confirmed) {
      const question = typeof action.confirm === 'boolean'
        ? gettext('Are you sure you want to run “{action}” on these {items}?', { action: label, items: ma.verboseNamePlural })
        : String(action.confirm);
      return this.#page(req, 'action_confirmation.html', gettext('Are you sure?'), {
        action: { name: action.name, label, question }, objects: listed, cancel_url: this.modelUrl(ma),
      }, { model: ma, crumbs: crumb(label) });
    }
    const result = await action.run(req, objects);
    for (const o of objects) await this.#log(user, ma, o, CHANGE, [{ action: { name: action.name, description: label } }]);
    if (typeof result === 'object' && result !== null) return result;
    if (result) flash(req, result);
    return redirect(this.modelUrl(ma));
  }

  // ------------------------------------------------------------------ add and change

  /** The form field of a foreign key picked by searching, for `source`'s autocompleteFields. */
  #formField(source: { autocompleteFields: readonly string[] }, model: AnyModelClass, field: DbField): Field<unknown> | undefined {
    if (!(field instanceof ForeignKey) || !source.autocompleteFields.includes(field.name)) return undefined;
    const verbose = field.options.verboseName;
    const label = verbose === undefined ? undefined : cap(String(verbose));
    const helpText = field.options.helpText === undefined ? undefined : String(field.options.helpText);
    const url = this.url(`autocomplete/${qs({ app: model._meta.app, model: model._meta.modelName.toLowerCase(), field: field.name })}`);
    return new AutocompleteField({ required: !field.null && field.options.blank !== true, label, helpText, url }) as Field<unknown>;
  }

  /** The change form of a model admin: its fields (fields or fieldsets, less read-only and excluded ones). */
  #formBuilder(ma: ModelAdmin) {
    const readonly = new Set(ma.readonlyNames);
    const lines = ma.fields ?? ma.fieldsets?.flatMap(([, o]) => o.fields);
    const names = lines ? flattenLines(lines).filter((n) => !readonly.has(n)) : undefined;
    return modelForm(ma.model, {
      ...(names ? { fields: names } : {}), exclude: [...ma.exclude, ...readonly],
      label: (o) => this.#label(o), formField: (f) => this.#formField(ma, ma.model, f),
    });
  }

  /** Autocomplete keys are checked against the database (the page never listed them): a missing one is a form error. */
  async #checkKeys(form: ModelForm): Promise<void> {
    for (const [name, field] of Object.entries(form.fields)) {
      if (!(field instanceof AutocompleteField)) continue;
      const raw = (form.cleanedData as Record<string, unknown>)[name];
      if (typeof raw !== 'string' || raw === '') continue;
      const related = (form.model._meta.field(name) as ForeignKey).related();
      const key = keyFor(related, raw);
      if (key === null || !(await related.objects.filter({ pk: key }).exists())) form.addError(name, field.error('invalid_choice'));
    }
  }

  /** The labels of the objects the search pickers of these forms currently hold. */
  async #fillLabels(forms: ModelForm[]): Promise<void> {
    for (const form of forms) {
      for (const bf of form) {
        if (!(bf.field.widget instanceof AutocompleteSelect)) continue;
        const value = bf.value === null || bf.value === undefined ? '' : String(bf.value);
        if (!value || bf.field.widget.labels.has(value)) continue;
        const related = (form.model._meta.field(bf.name) as ForeignKey).related();
        const key = keyFor(related, value);
        const obj = key === null ? null : await related.objects.filter({ pk: key }).first();
        if (obj) bf.field.widget.labels.set(value, this.#label(obj));
      }
    }
  }

  /** What the user may do with an inline's rows on this page; null when they may not see them. */
  async #inlinePerms(user: UserInstance, inline: InlineModelAdmin, editing: boolean): Promise<InlinePerms | null> {
    const perms = {
      add: editing && await this.#can(user, inline, 'add'),
      change: editing && await this.#can(user, inline, 'change'),
      delete: editing && await this.#can(user, inline, 'delete'),
    };
    if (perms.add || perms.change || perms.delete || await this.#can(user, inline, 'view')) return perms;
    return null;
  }

  async #formsets(user: UserInstance, ma: ModelAdmin, obj: AnyInstance | null, input: FormInput | null, editing: boolean): Promise<InlineFormset[]> {
    const out: InlineFormset[] = [];
    const used = new Set<string>();
    for (const inline of ma.inlines) {
      const perms = await this.#inlinePerms(user, inline, editing);
      if (!perms) continue;
      const fk = inline.foreignKey(ma.model);
      let prefix = fk.relatedName ?? `${inline.modelName}_set`;
      for (let n = 2; used.has(prefix); n++) prefix = `${fk.relatedName ?? `${inline.modelName}_set`}-${n}`;
      used.add(prefix);
      out.push(await InlineFormset.build(inline, ma.model, obj, input, perms, prefix, {
        labelOf: (o) => this.#label(o),
        formField: (model, f) => this.#formField(inline, model, f),
        check: (form) => this.#checkKeys(form),
      }));
    }
    return out;
  }

  /** The fieldsets of the change page: each line's form fields (their HTML) and read-only values. */
  async #fieldsets(ma: ModelAdmin, form: ModelForm | null, formNames: string[], obj: AnyInstance | null) {
    const readonly = new Set(ma.readonlyNames);
    const computed = ma.readonlyFields.filter((r) => typeof r !== 'string');
    const sets: ReadonlyArray<readonly [Translatable | null, { fields: readonly FieldLine[]; classes?: readonly string[]; description?: Translatable }]> =
      ma.fieldsets ?? [[null, { fields: ma.fields ?? [...formNames, ...ma.readonlyNames.filter((n) => !formNames.includes(n))] }]];
    const show = async (name: string): Promise<LineField | null> => {
      if (form && name in form.fields && !readonly.has(name)) {
        const bf = form.field(name);
        return { name, label: bf.label, block: markSafe(String(bf.asDiv()) + String(currentFile(ma.model, obj, name))), value: null, errors: bf.errors.length > 0 };
      }
      if (!form || readonly.has(name)) {
        return { name, label: labelOf(ma.model, name), block: null, value: display(obj ? await valueOf(ma.model, obj, name) : ''), errors: false };
      }
      return null;
    };
    const out = [];
    for (const [i, [name, options]] of sets.entries()) {
      const lines: LineField[][] = [];
      for (const line of options.fields) {
        const shown = (await Promise.all((typeof line === 'string' ? [line] : [...line]).map(show))).filter((x): x is LineField => x !== null);
        if (shown.length) lines.push(shown);
      }
      if (i === 0) {
        for (const c of computed) lines.push([{ name: '', label: labelOf(ma.model, c), block: null, value: display(obj ? await valueOf(ma.model, obj, c) : ''), errors: false }]);
      }
      const classes = options.classes ?? [];
      out.push({
        name: name === null ? '' : String(name), description: options.description === undefined ? '' : String(options.description),
        classes: classes.join(' '), collapse: classes.includes('collapse'), open: lines.some((l) => l.some((f) => f.errors)), lines,
      });
    }
    return out;
  }

  async #changeFormPage(req: Request, user: UserInstance, ma: ModelAdmin, obj: AnyInstance | null, form: ModelForm | null, formNames: string[],
    formsets: InlineFormset[], status: number): Promise<Response> {
    const key = obj ? encodeURIComponent(String(obj.pk)) : '';
    const readOnly = form === null;
    await this.#fillLabels([...(form ? [form] : []), ...formsets.flatMap((fs) => [...fs.rows.map((r) => r.form), ...(fs.template ? [fs.template] : [])])]);
    const inlines = [];
    for (const fs of formsets) inlines.push({ ...(await fs.context()), template_name: this.#template(req, `edit_inline/${fs.inline.style}.html`, ma) });
    const title = readOnly ? gettext('View {name}', { name: ma.verboseName })
      : obj ? gettext('Change {name}', { name: ma.verboseName }) : gettext('Add {name}', { name: ma.verboseName });
    const hasErrors = status === 400;
    return this.#page(req, 'change_form.html', title, {
      form, original: obj, read_only: readOnly, add: obj === null,
      fieldsets: await this.#fieldsets(ma, form, formNames, obj),
      form_errors: form ? form.nonFieldErrors() : [],
      hidden_fields: markSafe(form ? form.hiddenFields.map((b) => String(b.widgetHtml())).join('') : ''),
      has_errors: hasErrors, inline_admin_formsets: inlines,
      multipart: Boolean(form?.isMultipart) || formsets.some((fs) => fs.rows.some((r) => r.form.isMultipart)),
      can_add_another: await this.#can(user, ma, 'add'),
      history_url: obj ? this.modelUrl(ma, `${key}/history/`) : '',
      delete_url: obj && !readOnly && await this.#can(user, ma, 'delete') ? this.modelUrl(ma, `${key}/delete/`) : '',
      changelist_url: this.modelUrl(ma),
    }, { model: ma, crumbs: this.#crumbs(ma, [obj ? this.#repr(ma, obj) : gettext('Add {name}', { name: ma.verboseName }), null]), status });
  }

  /** The add and change pages: the form, its inlines, and on POST all of them validated, then saved in one transaction. */
  async #editView(req: Request, user: UserInstance, ma: ModelAdmin, obj: AnyInstance | null, canChange: boolean): Promise<Response> {
    const builder = await this.#formBuilder(ma);
    const formNames = Object.keys(builder.fields);
    const input = req.method === 'POST' && canChange ? formInput(req) : null;
    const form = canChange ? await builder.bind(obj ?? undefined, input ? { input } : {}) : null;
    const before = { ...(form?.initial ?? {}) } as Record<string, unknown>;
    const formsets = await this.#formsets(user, ma, obj, input, canChange);
    if (!input || !form) return this.#changeFormPage(req, user, ma, obj, form, formNames, formsets, 200);
    let valid = await form.isValid();
    if (valid) {
      await this.#checkKeys(form);
      valid = await form.isValid();
    }
    for (const fs of formsets) if (!(await fs.isValid())) valid = false;
    if (!valid) return this.#changeFormPage(req, user, ma, obj, form, formNames, formsets, 400);
    let saved: AnyInstance;
    try {
      saved = await atomic(async () => {
        const changed = obj ? form.changedFields(before) : [];
        const o = await form.save();
        const parts: ChangePart[] = obj ? (changed.length ? [{ changed: { fields: changed.map((n) => labelOf(ma.model, n).toLowerCase()) } }] : []) : [{ added: {} }];
        for (const fs of formsets) parts.push(...await fs.save(o));
        await this.#log(user, ma, o, obj ? CHANGE : ADDITION, parts);
        return o;
      });
    } catch (e) {
      if (!(e instanceof ProtectedError)) throw e;
      formsets[0]?.errors.push(gettext('Some rows cannot be deleted: other objects depend on them. Nothing was saved.'));
      if (!formsets.length) form.addError(null, gettext('Some rows cannot be deleted: other objects depend on them. Nothing was saved.'));
      return this.#changeFormPage(req, user, ma, obj, form, formNames, formsets, 400);
    }
    const params = { name: ma.verboseName, object: this.#repr(ma, saved) };
    const changeUrl = this.modelUrl(ma, `${encodeURIComponent(String(saved.pk))}/change/`);
    if (req.form.has('_continue')) {
      flash(req, gettext('The {name} “{object}” was saved successfully. You may edit it again below.', params));
      return redirect(changeUrl);
    }
    if (req.form.has('_addanother') && await this.#can(user, ma, 'add')) {
      flash(req, gettext('The {name} “{object}” was saved successfully. You may add another {name} below.', params));
      return redirect(this.modelUrl(ma, 'add/'));
    }
    flash(req, obj ? gettext('The {name} “{object}” was changed successfully.', params) : gettext('The {name} “{object}” was added successfully.', params));
    return redirect(this.modelUrl(ma));
  }

  async addView(req: Request, params: { app: string; model: string }): Promise<Response> {
    const user = this.#staff(req);
    if (!user) return this.#toLogin(req);
    const ma = this.#modelAdmin(params);
    await this.#require(user, ma, 'add');
    return this.#editView(req, user, ma, null, true);
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
    return this.#editView(req, user, ma, obj, canChange);
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
      await this.#log(user, ma, obj, DELETION, [{ deleted: {} }]);
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
    const entries = await LogEntry.objects.filter({ contentType: `${ma.app}.${ma.modelName}`, objectId: String(obj.pk) })
      .orderBy('actionTime', 'id').selectRelated('user');
    return this.#page(req, 'object_history.html', gettext('Change history: {object}', { object: this.#repr(ma, obj) }), {
      object_repr: this.#repr(ma, obj),
      entries: entries.map((e) => ({
        time: formatDate(e.actionTime, 'datetime'), time_iso: e.actionTime.toISOString(),
        user: (e.user as UserInstance | undefined)?.username ?? String(e.userId),
        action: String(ACTION_NAMES[e.actionFlag] ?? ''), message: describeChange(e.changeMessage),
      })),
    }, { model: ma, crumbs: this.#crumbs(ma, [this.#repr(ma, obj), this.modelUrl(ma, `${encodeURIComponent(String(obj.pk))}/change/`)], [gettext('History'), null]) });
  }

  // ------------------------------------------------------------------ autocomplete

  /**
   * The search behind a foreign key's picker: ?app=&model=&field= name a field listed in some registered admin's (or
   * inline's) autocompleteFields; the related model's admin searches its searchFields for ?term=, 20 a page (?page=).
   * Answers only staff who may view the related model. JSON: {results: [{id, text}], pagination: {more}}.
   */
  async autocompleteView(req: Request): Promise<Response> {
    const user = this.#staff(req);
    if (!user) return this.#toLogin(req);
    if (req.method !== 'GET' && req.method !== 'HEAD') return notAllowed(['GET', 'HEAD']);
    const [app, model, fieldName] = ['app', 'model', 'field'].map((k) => req.query.get(k) ?? '') as [string, string, string];
    const sources = this.modelAdmins.flatMap((m) => [m, ...m.inlines]);
    const source = sources.find((s) => s.app === app && s.modelName === model && s.autocompleteFields.includes(fieldName));
    if (!source) throw new Http404('No search picker by that name.');
    const related = (source.model._meta.field(fieldName) as ForeignKey).related();
    const target = this.#adminFor(related);
    if (!target || !target.searchFields.length) {
      throw new ImproperlyConfigured(`${source.model._meta.label}.${fieldName} is in autocompleteFields, so register ${related._meta.label} in the admin with searchFields: `
        + `admin.register(${related._meta.modelName}, { searchFields: ['name'] }).`);
    }
    if (!(await this.#can(user, target, 'view'))) throw new PermissionDenied(`You may not view ${target.verboseNamePlural}.`);
    const term = (req.query.get('term') ?? '').trim().slice(0, 200);
    const page = Math.max(1, Math.min(1000, Number.parseInt(req.query.get('page') ?? '1', 10) || 1));
    const ordering = [...target.ordering, ...(target.ordering.some((o) => o.replace(/^-/, '') === 'pk') ? [] : ['pk'])];
    const found = await this.#searched(target, term).orderBy(...ordering).slice((page - 1) * AUTOCOMPLETE_PAGE, page * AUTOCOMPLETE_PAGE + 1);
    return json({
      results: found.slice(0, AUTOCOMPLETE_PAGE).map((o) => ({ id: String(o.pk), text: this.#repr(target, o) })),
      pagination: { more: found.length > AUTOCOMPLETE_PAGE },
    });
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function actionLabel(action: AdminAction): string {
  return String(action.description ?? action.label ?? action.name);
}

/** The default admin site; apps register their models on it in their admin.ts. */
export const adminSite = new AdminSite();
export { markSafe };
