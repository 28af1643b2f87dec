// Generic class-based views: a template page, a redirect, a paginated list and a detail page.
import { Http404, ImproperlyConfigured } from '../errors.js';
import type { Request } from '../http/request.js';
import type { Response } from '../http/response.js';
import { redirect } from '../http/responses.js';
import { View } from './base.js';
import { Paginator, type ListSource, type Page } from './paginator.js';
import { get404, render } from './shortcuts.js';

/** Renders `templateName` with the URL's parameters (and `getContextData()`'s values) for GET requests. */
export class TemplateView extends View {
  /** The template to render (required). */
  templateName: string | undefined = undefined;

  /** The template for this request: `templateName` unless overridden. */
  getTemplateName(): string {
    if (!this.templateName) throw new ImproperlyConfigured(`${this.constructor.name} needs a templateName.`);
    return this.templateName;
  }

  /** The template's context: `view`, the URL's parameters and `extra`. Override to add values; call `super.getContextData()`. */
  async getContextData(extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return { view: this, ...this.params, ...extra };
  }

  /** Renders the template with `context` (and the context processors' values). */
  async renderToResponse(context: Record<string, unknown>): Promise<Response> {
    return render(this.request, this.getTemplateName(), context);
  }

  async get(_req: Request): Promise<Response> {
    return this.renderToResponse(await this.getContextData());
  }
}

/** Redirects to `url`, or to the URL named `patternName` with this URL's parameters; 404 when it has neither. */
export class RedirectView extends View {
  /** Where to redirect. */
  url: string | undefined = undefined;
  /** Or the name of a URL pattern, reversed with this request's URL parameters. */
  patternName: string | undefined = undefined;
  /** 301 instead of 302. */
  permanent = false;
  /** Keep the request's query string. */
  queryString = false;

  /** The redirect's target for this request, or null for none (404). */
  getRedirectUrl(): string | null {
    let url = this.url ?? (this.patternName ? this.request.reverse(this.patternName, this.params) : null);
    if (url && this.queryString && this.request.queryString) url += `?${this.request.queryString}`;
    return url;
  }

  async get(_req: Request): Promise<Response> {
    const url = this.getRedirectUrl();
    if (!url) throw new Http404('This redirect has no destination.');
    return redirect(url, { permanent: this.permanent });
  }
}

/** Something the detail view can look up one object in: an ORM QuerySet/Manager (get()) or an array. */
export interface Lookupable<T> { get(where: Record<string, unknown>): PromiseLike<T> }

/** Renders a list of objects (`objectList`), optionally in pages of `paginateBy` (`page`, `isPaginated`). */
export class ListView<T = unknown> extends TemplateView {
  /** The objects: a query (counted and sliced per page) or an array. */
  queryset: ListSource<T> | null = null;
  /** Objects per page; null shows them all. */
  paginateBy: number | null = null;
  /** The query-string parameter that picks the page (`?page=2`); a bad page number is a 404. */
  pageParam = 'page';
  /** false: an empty list is a 404. */
  allowEmpty = true;
  /** The list is also in the context under this name. */
  contextObjectName = 'objectList';

  /** The objects for this request: `queryset` unless overridden (may be async). */
  getQueryset(): ListSource<T> | Promise<ListSource<T>> {
    if (!this.queryset) throw new ImproperlyConfigured(`${this.constructor.name} needs a queryset or a getQueryset().`);
    return this.queryset;
  }

  override async get(req: Request): Promise<Response> {
    const source = await this.getQueryset();
    let items: readonly T[];
    let page: Page<T> | null = null;
    if (this.paginateBy) {
      page = await new Paginator(source, this.paginateBy).page(req.query.get(this.pageParam) ?? 1);
      items = page.items;
    } else {
      items = Array.isArray(source) ? source : await (source as unknown as PromiseLike<T[]>);
    }
    if (!this.allowEmpty && items.length === 0) throw new Http404('This list is empty.');
    const ctx = await this.getContextData({ objectList: items, page, isPaginated: page !== null && page.numPages > 1 });
    if (this.contextObjectName !== 'objectList') ctx[this.contextObjectName] = items;
    return this.renderToResponse(ctx);
  }
}

/** Renders one object (`object`), looked up by the URL's `pk` (as `id`) or `slug`; 404 when there is none. */
export class DetailView<T = unknown> extends TemplateView {
  /** Where to look: a query or a model's `objects` (anything with `get()`), or an array. */
  queryset: Lookupable<T> | readonly T[] | null = null;
  /** The field the URL's slug is matched against. */
  slugField = 'slug';
  /** The URL parameter holding the slug. */
  slugParam = 'slug';
  /** The URL parameter holding the primary key (looked up as `id`). */
  pkParam = 'pk';
  /** The object is also in the context under this name. */
  contextObjectName = 'object';

  /** Where to look for this request: `queryset` unless overridden. */
  getQueryset(): Lookupable<T> | readonly T[] {
    if (!this.queryset) throw new ImproperlyConfigured(`${this.constructor.name} needs a queryset or a getQueryset().`);
    return this.queryset;
  }

  /** The object for this request (Http404 when none matches); override to look it up differently. */
  async getObject(): Promise<T> {
    const qs = this.getQueryset();
    const pk = this.params[this.pkParam];
    const slug = this.params[this.slugParam];
    const where: Record<string, unknown> = pk !== undefined ? { id: pk } : slug !== undefined ? { [this.slugField]: slug } : {};
    if (Object.keys(where).length === 0) {
      throw new ImproperlyConfigured(`${this.constructor.name} must be routed with <${this.pkParam}> or <${this.slugParam}> in its URL.`);
    }
    if (Array.isArray(qs)) {
      const [k, v] = Object.entries(where)[0] as [string, unknown];
      return get404(Promise.resolve((qs as readonly T[]).find((o) => (o as Record<string, unknown>)[k] === v)));
    }
    return get404((qs as Lookupable<T>).get(where));
  }

  override async get(_req: Request): Promise<Response> {
    const object = await this.getObject();
    const ctx = await this.getContextData({ object });
    if (this.contextObjectName !== 'object') ctx[this.contextObjectName] = object;
    return this.renderToResponse(ctx);
  }
}
