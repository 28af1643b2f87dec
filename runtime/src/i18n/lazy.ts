// Lazy text: a message marked for translation where it is declared (a model's verbose name, a form label, a default
// error message) and translated each time it is turned into a string, in the language active at that moment.

/** A message that translates itself when printed: `${label}`, String(label), templates, escapeHtml(). */
export class LazyString {
  readonly #resolve: (params?: Readonly<Record<string, unknown>>) => string;

  constructor(resolve: (params?: Readonly<Record<string, unknown>>) => string) {
    this.#resolve = resolve;
  }

  /**
   * The text in the active language; `{name}` placeholders are filled from `params`. A plural message made by
   * ngettextLazy with a parameter name as its count picks its form from that parameter.
   */
  format(params?: Readonly<Record<string, unknown>>): string {
    return this.#resolve(params);
  }

  toString(): string { return this.#resolve(); }
  valueOf(): string { return this.#resolve(); }
  toJSON(): string { return this.#resolve(); }
  [Symbol.toPrimitive](): string { return this.#resolve(); }
  get length(): number { return this.#resolve().length; }
}

/** Text that may be translated lazily: wherever the runtime takes a label, help text or message. */
export type Translatable = string | LazyString;

export function isLazy(value: unknown): value is LazyString {
  return value instanceof LazyString;
}

/** A Translatable as a string now, with `{name}` placeholders filled from `params` when given. */
export function resolveText(value: Translatable, params?: Readonly<Record<string, unknown>>): string {
  return typeof value === 'string' ? (params ? interpolate(value, params) : value) : value.format(params);
}

/** Fills `{name}` placeholders from `params`; names `params` lacks are left as they are. */
export function interpolate(text: string, params: Readonly<Record<string, unknown>>): string {
  return text.replace(/\{(\w+)\}/g, (whole, k: string) => (Object.hasOwn(params, k) ? String(params[k]) : whole));
}
