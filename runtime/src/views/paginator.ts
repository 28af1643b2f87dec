// Pagination over arrays or lazy query sets (anything with count() and offset()/limit()), Django style.
import { Http404 } from '../errors.js';

/** A lazy query the paginator can count and slice without loading every row; the ORM's QuerySet fits. */
export interface PaginatableQuery<T> {
  count(): PromiseLike<number>;
  offset(n: number): PaginatableQuery<T>;
  limit(n: number): PaginatableQuery<T>;
  then<R1 = T[], R2 = never>(onfulfilled?: ((value: T[]) => R1 | PromiseLike<R1>) | null, onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null): PromiseLike<R1 | R2>;
}

/** What can be paginated: an array, or a query that can be counted and sliced. */
export type ListSource<T> = readonly T[] | PaginatableQuery<T>;

/** One page of a Paginator: its items and where it stands. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly number: number;
  readonly numPages: number;
  readonly count: number;
  readonly hasNext: boolean;
  readonly hasPrevious: boolean;
  readonly nextPageNumber: number | null;
  readonly previousPageNumber: number | null;
  /** 1-based index of the first item on this page within the whole list. */
  readonly startIndex: number;
}

/** Splits a list or a query into pages of `perPage` items (`allowEmptyFirstPage: false` makes an empty list have no pages). */
export class Paginator<T> {
  constructor(readonly source: ListSource<T>, readonly perPage: number, readonly opts: { allowEmptyFirstPage?: boolean } = {}) {
    if (!Number.isInteger(perPage) || perPage < 1) throw new TypeError('perPage must be a positive whole number.');
  }

  /** How many items there are in all. */
  async count(): Promise<number> {
    return Array.isArray(this.source) ? this.source.length : (this.source as PaginatableQuery<T>).count();
  }

  /** The page `number` (1-based; 'last' allowed); Http404 for a page that is not a number or out of range. */
  async page(number: string | number | null | undefined): Promise<Page<T>> {
    const count = await this.count();
    const numPages = count === 0 ? (this.opts.allowEmptyFirstPage === false ? 0 : 1) : Math.ceil(count / this.perPage);
    let n: number;
    if (number === null || number === undefined || number === '') n = 1;
    else if (number === 'last') n = numPages;
    else {
      n = typeof number === 'number' ? number : Number(number);
      if (!Number.isInteger(n)) throw new Http404('That page number is not a whole number.');
    }
    if (n < 1 || n > numPages) throw new Http404('That page contains no results.');
    const start = (n - 1) * this.perPage;
    const items = Array.isArray(this.source)
      ? (this.source as readonly T[]).slice(start, start + this.perPage)
      : await (this.source as PaginatableQuery<T>).offset(start).limit(this.perPage);
    return {
      items, number: n, numPages, count,
      hasNext: n < numPages, hasPrevious: n > 1,
      nextPageNumber: n < numPages ? n + 1 : null,
      previousPageNumber: n > 1 ? n - 1 : null,
      startIndex: count === 0 ? 0 : start + 1,
    };
  }
}
