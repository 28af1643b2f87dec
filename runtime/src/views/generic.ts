// Generic class-based views: a template page, a redirect, a paginated list and a detail page.
import { Http404, ImproperlyConfigured } from '../errors.js';
import type { Request } from '../http/request.js';
import type { Response } from '../http/response.js';
import { redirect } from '../http/responses.js';
import { View } from './base.js';
import { Paginator, type ListSource, type Page } from './paginator.js';
import { get404, render } from './shortcuts.js';

export class TemplateView extends View {
  templateName: string | undefined = undefined;

  getTemplateName(): string {
    if (!this.templateName) throw new ImproperlyConfigured(`${this.constructor.name} needs a templateName.`);
    return this.templateName;
  }

  async getContextData(extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return { view: this, ...this.params, ...extra };
  }

  async renderToResponse(context: Record<string, unknown>): Promise<Response> {
    return render(this.request, this.getTemplateName(), context);
  }

  async get(_req: Request): Promise<Response> {
    return this.renderToResponse(await this.getContextData());
  }
}

export class RedirectView extends View {
  url: string | undefined = undefined;
  patternName: string | undefined = undefined;
  permanent = false;
  queryString = false;

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

export class ListView<T = unknown> extends TemplateView {
  queryset: ListSource<T> | null = null;
  paginateBy: number | null = null;
  pageParam = 'page';
  allowEmpty = true;
  contextObjectName = 'objectList';

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

export class DetailView<T = unknown> extends TemplateView {
  queryset: Lookupable<T> | readonly T[] | null = null;
  slugField = 'slug';
  slugParam = 'slug';
  pkParam = 'pk';
  contextObjectName = 'object';

  getQueryset(): Lookupable<T> | readonly T[] {
    if (!this.queryset) throw new ImproperlyConfigured(`${this.constructor.name} needs a queryset or a getQueryset().`);
    return this.queryset;
  }

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
