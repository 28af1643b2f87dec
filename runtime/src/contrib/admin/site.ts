// The admin site: registered models get an index, change lists (columns, search, filters, ordering, pages, bulk
// actions), add/change/delete pages built from model forms, and a history. Staff only; every page checks the
// model's view/add/change/delete permission itself, so no URL reaches data the user may not see.
import { Http404, ImproperlyConfigured, PermissionDenied } from '../../errors.js';
import { or, ProtectedError, type AnyInstance, type AnyModelClass, type Filter, type ModelMeta } from '../../db/index.js';
import { escapeHtml, isSafe, markSafe } from '../../forms/html.js';
import { modelForm, objectLabel, type ModelForm } from '../../forms/model-form.js';
import { formInput } from '../../forms/uploads.js';
import type { Request } from '../../http/request.js';
import type { Response } from '../../http/response.js';
import { notAllowed, redirect } from '../../http/responses.js';
import { path, type URLEntry } from '../../urls/patterns.js';
import { Paginator } from '../../views/paginator.js';
import { LoginForm } from '../auth/forms.js';
import { authenticate, currentUser, login, logout, siteThrottle, ThrottledError } from '../auth/login.js';
import type { UserInstance } from '../auth/models.js';
import { hasPerm } from '../auth/permissions.js';
import { isSafeRedirect } from '../auth/redirects.js';
import { messagesHtml, page } from '../auth/pages.js';
import { addMessage } from '../messages/middleware.js';
import { levels } from '../messages/message.js';
import { ADDITION, CHANGE, DELETION, LogEntry } from './models.js';
import { ModelAdmin, type AdminAction, type ModelAdminOptions } from './options.js';

type Action = 'add' | 'change' | 'delete' | 'view';

function csrfInput(req: Request): string {
  return `<input type="hidden" name="csrfmiddlewaretoken" value="${escapeHtml(req.csrfToken())}">`;
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

export class AdminSite {
  readonly #registry = new Map<string, ModelAdmin>();
  readonly title: string;
  readonly #prefix: string;

  /** prefix: where the site's URLs include the admin, e.g. '/admin/'. */
  constructor(options: { title?: string; prefix?: string } = {}) {
    this.title = options.title ?? 'Site administration';
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

  // ------------------------------------------------------------------ layout

  #page(req: Request, title: string, body: string, crumbs: Array<[string, string | null]> = [], status = 200): Response {
    const user = currentUser(req);
    const tools = user ? `<nav aria-label="User tools"><span>${escapeHtml(user.username)}</span> · <a href="/">View site</a> · `
      + `<form method="post" action="${escapeHtml(this.url('logout/'))}">${csrfInput(req)}<button type="submit">Log out</button></form></nav>` : '';
    const header = `<header class="top"><a class="brand" href="${escapeHtml(this.url())}">${escapeHtml(this.title)}</a>${tools}</header>`;
    const trail = crumbs.length ? `<nav class="breadcrumbs" aria-label="Breadcrumbs"><a href="${escapeHtml(this.url())}">Home</a>${crumbs
      .map(([label, href]) => ` › ${href ? `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>` : escapeHtml(label)}`).join('')}</nav>` : '';
    return page(`${trail}${messagesHtml(req)}<h1>${escapeHtml(title)}</h1>${body}`, { title: `${title} | ${this.title}`, header, status });
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
        form.addError(null, 'Please enter the correct username and password for a staff account. Note that both fields may be case-sensitive.');
      } catch (e) {
        if (!(e instanceof ThrottledError)) throw e;
        form.addError(null, e.message);
        status = 429;
      }
    }
    const html = String(form.renderForm({ request: req, submitLabel: 'Log in', action: this.url('login/') }))
      .replace('<button type="submit">', `<input type="hidden" name="next" value="${escapeHtml(next)}"><button type="submit">`);
    return page(`<div class="card"><h1>${escapeHtml(this.title)}</h1>${html}</div>`, { title: `Log in | ${this.title}`, narrow: true, status });
  }

  async logoutView(req: Request): Promise<Response> {
    if (req.method !== 'POST') return notAllowed(['POST']);
    await logout(req);
    return redirect(this.url('login/'));
  }

  async indexView(req: Request): Promise<Response> {
    const user = this.#staff(req);
    if (!user) return this.#toLogin(req);
    const byApp = new Map<string, string[]>();
    for (const ma of this.#registry.values()) {
      const canView = await this.#can(user, ma, 'view');
      const canAdd = await this.#can(user, ma, 'add');
      if (!canView && !canAdd) continue;
      const row = `<tr><th scope="row">${canView ? `<a href="${escapeHtml(this.modelUrl(ma))}">${escapeHtml(cap(ma.verboseNamePlural))}</a>` : escapeHtml(cap(ma.verboseNamePlural))}</th>`
        + `<td>${canAdd ? `<a class="button secondary" href="${escapeHtml(this.modelUrl(ma, 'add/'))}">Add</a>` : ''}</td></tr>`;
      byApp.set(ma.app, [...(byApp.get(ma.app) ?? []), row]);
    }
    const apps = [...byApp].sort(([a], [b]) => a.localeCompare(b)).map(([app, rows]) =>
      `<section class="card app" aria-labelledby="app-${escapeHtml(app)}"><h2 id="app-${escapeHtml(app)}">${escapeHtml(cap(app))}</h2><table>${rows.join('')}</table></section>`).join('');
    const recent = await LogEntry.objects.filter({ userId: user.id }).limit(10);
    const history = recent.length ? `<section class="card"><h2>Your recent actions</h2><ul>${recent.map((e) =>
      `<li>${escapeHtml(['', 'Added', 'Changed', 'Deleted'][e.actionFlag] ?? '')} ${escapeHtml(e.contentType)}: ${escapeHtml(e.objectRepr)}</li>`).join('')}</ul></section>` : '';
    return this.#page(req, this.title, `<div class="layout"><div>${apps || '<p>You don’t have permission to view or edit anything.</p>'}</div><div>${history}</div></div>`);
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
    const head = ma.listDisplay.map((c) => {
      if (typeof c !== 'string') return `<th scope="col">${escapeHtml(c.label)}</th>`;
      if (c === '__str__') return `<th scope="col">${escapeHtml(cap(ma.verboseName))}</th>`;
      const label = cap(String(meta.field(c).options.verboseName ?? humanise(c)));
      if (!sortable.includes(c)) return `<th scope="col">${escapeHtml(label)}</th>`;
      const desc = ordering[0] === c;
      const sort = desc ? 'ascending' : ordering[0] === `-${c}` ? 'descending' : 'none';
      return `<th scope="col" aria-sort="${sort}"><a href="${escapeHtml(qs({ ...state, o: desc ? `-${c}` : c }))}">${escapeHtml(label)}</a></th>`;
    }).join('');
    const rows = pageObj.items.map((obj) => {
      const cells = ma.listDisplay.map((c, i) => {
        const value = this.#cell(ma, obj, c);
        const content = i === 0 && canChange
          ? `<a href="${escapeHtml(this.modelUrl(ma, `${encodeURIComponent(String(obj.pk))}/change/`))}">${value}</a>` : value;
        return i === 0 ? `<th scope="row">${content}</th>` : `<td>${content}</td>`;
      }).join('');
      const label = escapeHtml(this.#repr(ma, obj));
      return `<tr><td><input type="checkbox" name="_selected" value="${escapeHtml(String(obj.pk))}" aria-label="Select ${label}"></td>${cells}</tr>`;
    }).join('');
    const actions = await this.#allowedActions(user, ma);
    const actionBar = actions.length ? `<div class="toolbar"><label for="action">Action:</label><select name="action" id="action">${actions
      .map((a) => `<option value="${escapeHtml(a.name)}">${escapeHtml(a.label)}</option>`).join('')}</select><button type="submit" class="secondary">Go</button></div>` : '';
    const search = ma.search.length ? `<form method="get" role="search"><label for="q" class="skip">Search</label><input type="search" id="q" name="q" value="${escapeHtml(q)}" placeholder="Search ${escapeHtml(ma.verboseNamePlural)}">`
      + Object.entries(active).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('')
      + `<button type="submit" class="secondary">Search</button></form>` : '';
    const add = await this.#can(user, ma, 'add') ? `<a class="button" href="${escapeHtml(this.modelUrl(ma, 'add/'))}">Add ${escapeHtml(ma.verboseName)}</a>` : '';
    const filters = await this.#filtersHtml(ma, state, active);
    const pager = pageObj.numPages > 1 ? `<nav class="pagination" aria-label="Pages">${pageObj.hasPrevious ? `<a href="${escapeHtml(qs({ ...state, p: String(pageObj.number - 1) }))}">‹ Previous</a>` : ''}`
      + `<span>Page ${pageObj.number} of ${pageObj.numPages}</span>${pageObj.hasNext ? `<a href="${escapeHtml(qs({ ...state, p: String(pageObj.number + 1) }))}">Next ›</a>` : ''}</nav>` : '';
    const body = `<div class="toolbar">${search}${add}</div><div class="layout"><div><form method="post">${csrfInput(req)}${actionBar}`
      + `<div class="card" style="padding:0"><table><thead><tr><td></td>${head}</tr></thead><tbody>${rows || `<tr><td colspan="${ma.listDisplay.length + 1}">No ${escapeHtml(ma.verboseNamePlural)} found.</td></tr>`}</tbody></table></div></form>`
      + `<p class="muted">${pageObj.count} ${escapeHtml(pageObj.count === 1 ? ma.verboseName : ma.verboseNamePlural)}</p>${pager}</div>${filters}</div>`;
    return this.#page(req, `Select ${ma.verboseName} to ${canChange ? 'change' : 'view'}`, body, [[cap(ma.app), null], [cap(ma.verboseNamePlural), null]]);
  }

  #cell(ma: ModelAdmin, obj: AnyInstance, column: string | { value: (o: AnyInstance) => unknown }): string {
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
    if (isSafe(value)) return String(value);
    if (value === null || value === undefined || value === '') return '<span class="muted">—</span>';
    if (typeof value === 'boolean') return value ? '<span aria-label="yes">✔</span>' : '<span aria-label="no">✘</span>';
    if (value instanceof Date) return escapeHtml(value.toISOString().replace('T', ' ').slice(0, 16));
    return escapeHtml(typeof value === 'object' ? JSON.stringify(value) : String(value));
  }

  async #filtersHtml(ma: ModelAdmin, state: Record<string, string | undefined>, active: Record<string, string>): Promise<string> {
    if (!ma.listFilter.length) return '';
    const blocks: string[] = [];
    for (const name of ma.listFilter) {
      const field = ma.model._meta.field(name);
      let options: Array<[string, string]> = [];
      if (field.type === 'boolean') options = [['1', 'Yes'], ['0', 'No']];
      else if (Array.isArray(field.options.choices)) {
        options = (field.options.choices as unknown[]).map((c) => (Array.isArray(c) ? [String(c[0]), String(c[1])] : [String(c), String(c)]));
      } else if (field.type === 'foreignKey') {
        const related = (field as unknown as { related(): AnyModelClass }).related();
        options = (await related.objects.all().limit(50)).map((o) => [String(o.pk), objectLabel(o)]);
      }
      const link = (value: string | undefined, label: string) => {
        const selected = (active[name] ?? undefined) === value;
        return `<li><a href="${escapeHtml(qs({ ...state, [name]: value, p: undefined }))}"${selected ? ' class="selected" aria-current="true"' : ''}>${escapeHtml(label)}</a></li>`;
      };
      blocks.push(`<h3>By ${escapeHtml(String(field.options.verboseName ?? humanise(name)))}</h3><ul>${link(undefined, 'All')}${options.map(([v, l]) => link(v, l)).join('')}</ul>`);
    }
    return `<aside class="card filters" aria-label="Filters"><h2>Filter</h2>${blocks.join('')}</aside>`;
  }

  async #allowedActions(user: UserInstance, ma: ModelAdmin): Promise<AdminAction[]> {
    const all: AdminAction[] = [{
      name: 'delete_selected', label: `Delete selected ${ma.verboseNamePlural}`, permission: 'delete',
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
      flash(req, 'Items must be selected in order to perform actions on them. No items have been changed.', levels.WARNING);
      return redirect(this.modelUrl(ma));
    }
    if (action.name === 'delete_selected') {
      if (req.form.get('confirm') !== 'yes') {
        const hidden = objects.map((o) => `<input type="hidden" name="_selected" value="${escapeHtml(String(o.pk))}">`).join('');
        const list = objects.map((o) => `<li>${escapeHtml(this.#repr(ma, o))}</li>`).join('');
        return this.#page(req, 'Are you sure?', `<div class="card"><p>Delete these ${escapeHtml(ma.verboseNamePlural)}?</p><ul>${list}</ul>`
          + `<form method="post">${csrfInput(req)}${hidden}<input type="hidden" name="action" value="delete_selected"><input type="hidden" name="confirm" value="yes">`
          + `<button type="submit" class="danger">Yes, I’m sure</button> <a class="button secondary" href="${escapeHtml(this.modelUrl(ma))}">No, take me back</a></form></div>`,
        [[cap(ma.app), null], [cap(ma.verboseNamePlural), this.modelUrl(ma)], ['Delete multiple objects', null]]);
      }
      let n = 0;
      for (const o of objects) {
        try {
          await o.delete();
          await this.#log(user, ma, o, DELETION);
          n++;
        } catch (e) {
          if (!(e instanceof ProtectedError)) throw e;
          flash(req, `Cannot delete ${this.#repr(ma, o)}: other objects depend on it.`, levels.ERROR);
        }
      }
      flash(req, `Successfully deleted ${n} ${n === 1 ? ma.verboseName : ma.verboseNamePlural}.`);
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

  #formPage(req: Request, ma: ModelAdmin, title: string, form: ModelForm, obj: AnyInstance | null, status = 200): Response {
    const links = obj ? `<div class="toolbar"><a href="${escapeHtml(this.modelUrl(ma, `${encodeURIComponent(String(obj.pk))}/history/`))}">History</a>`
      + ` <a class="button danger" href="${escapeHtml(this.modelUrl(ma, `${encodeURIComponent(String(obj.pk))}/delete/`))}">Delete</a></div>` : '';
    const html = String(form.renderForm({ request: req, submitLabel: 'Save' }));
    return this.#page(req, title, `${links}<div class="card">${html}</div>`,
      [[cap(ma.app), null], [cap(ma.verboseNamePlural), this.modelUrl(ma)], [obj ? this.#repr(ma, obj) : `Add ${ma.verboseName}`, null]], status);
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
      await this.#log(user, ma, obj, ADDITION, 'Added.');
      flash(req, `The ${ma.verboseName} “${this.#repr(ma, obj)}” was added successfully.`);
      return redirect(this.modelUrl(ma));
    }
    return this.#formPage(req, ma, `Add ${ma.verboseName}`, form, null, req.method === 'POST' ? 400 : 200);
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
        await this.#log(user, ma, obj, CHANGE, changed.length ? `Changed ${changed.join(', ')}.` : 'No fields changed.');
        flash(req, `The ${ma.verboseName} “${this.#repr(ma, obj)}” was changed successfully.`);
        return redirect(this.modelUrl(ma));
      }
      return this.#formPage(req, ma, `Change ${ma.verboseName}`, form, obj, 400);
    }
    if (!canChange) {
      const rows = Object.keys(before.fields).map((name) => `<tr><th scope="row">${escapeHtml(humanise(name))}</th><td>${this.#cell(ma, obj, name)}</td></tr>`).join('');
      return this.#page(req, `View ${ma.verboseName}`, `<div class="card"><table>${rows}</table></div>`,
        [[cap(ma.app), null], [cap(ma.verboseNamePlural), this.modelUrl(ma)], [this.#repr(ma, obj), null]]);
    }
    return this.#formPage(req, ma, `Change ${ma.verboseName}`, before, obj);
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
        return this.#page(req, 'Cannot delete', `<div class="card"><p>Deleting “${escapeHtml(label)}” would require deleting protected related objects.</p></div>`, [], 409);
      }
      await this.#log(user, ma, obj, DELETION, 'Deleted.');
      flash(req, `The ${ma.verboseName} “${label}” was deleted successfully.`);
      return redirect(this.modelUrl(ma));
    }
    return this.#page(req, 'Are you sure?', `<div class="card"><p>Are you sure you want to delete the ${escapeHtml(ma.verboseName)} “${escapeHtml(label)}”?</p>`
      + `<form method="post">${csrfInput(req)}<button type="submit" class="danger">Yes, I’m sure</button> <a class="button secondary" href="${escapeHtml(this.modelUrl(ma, `${encodeURIComponent(String(obj.pk))}/change/`))}">No, take me back</a></form></div>`,
    [[cap(ma.app), null], [cap(ma.verboseNamePlural), this.modelUrl(ma)], [label, null], ['Delete', null]]);
  }

  async historyView(req: Request, params: { app: string; model: string; pk: string }): Promise<Response> {
    const user = this.#staff(req);
    if (!user) return this.#toLogin(req);
    const ma = this.#modelAdmin(params);
    await this.#require(user, ma, 'view');
    const obj = await this.#object(ma, params.pk);
    const entries = await LogEntry.objects.filter({ contentType: `${ma.app}.${ma.modelName}`, objectId: String(obj.pk) }).selectRelated('user');
    const rows = entries.map((e) => `<tr><td>${escapeHtml(e.actionTime.toISOString().replace('T', ' ').slice(0, 16))}</td>`
      + `<td>${escapeHtml((e.user as UserInstance | undefined)?.username ?? String(e.userId))}</td><td>${escapeHtml(['', 'Added', 'Changed', 'Deleted'][e.actionFlag] ?? '')}</td><td>${escapeHtml(e.changeMessage)}</td></tr>`).join('');
    return this.#page(req, `Change history: ${this.#repr(ma, obj)}`,
      `<div class="card" style="padding:0"><table><thead><tr><th scope="col">Date/time</th><th scope="col">User</th><th scope="col">Action</th><th scope="col">Details</th></tr></thead><tbody>${rows || '<tr><td colspan="4">No history for this object.</td></tr>'}</tbody></table></div>`,
      [[cap(ma.app), null], [cap(ma.verboseNamePlural), this.modelUrl(ma)], [this.#repr(ma, obj), this.modelUrl(ma, `${encodeURIComponent(String(obj.pk))}/change/`)], ['History', null]]);
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
