// Path converters for URL patterns: how '<int:id>' matches, converts to a value, and converts back when reversing.

export interface Converter<T = unknown> {
  /** A regular-expression fragment without capture groups. */
  readonly regex: string;
  toValue(segment: string): T;
  toUrl(value: T): string;
}

const int: Converter<number> = {
  regex: '[0-9]+',
  toValue: (s) => Number(s),
  toUrl: (v) => String(v),
};
const str: Converter<string> = { regex: '[^/]+', toValue: (s) => s, toUrl: (v) => String(v) };
const slug: Converter<string> = { regex: '[-a-zA-Z0-9_]+', toValue: (s) => s, toUrl: (v) => String(v) };
const uuid: Converter<string> = {
  regex: '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
  toValue: (s) => s,
  toUrl: (v) => String(v),
};
const pathConverter: Converter<string> = { regex: '.+', toValue: (s) => s, toUrl: (v) => String(v) };

const registry = new Map<string, Converter>([
  ['int', int as Converter], ['str', str as Converter], ['slug', slug as Converter],
  ['uuid', uuid as Converter], ['path', pathConverter as Converter],
]);

/** Registers a converter usable as `'<name:param>'` in every URL pattern compiled afterwards. */
export function registerConverter<T>(name: string, converter: Converter<T>): void {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new TypeError(`Converter names are identifiers; got '${name}'.`);
  registry.set(name, converter as Converter);
}

export function getConverter(name: string): Converter | undefined {
  return registry.get(name);
}

/** The TypeScript type a converter yields, for typing view parameters from a route string. */
export type ConverterValue<C extends string> = C extends 'int' ? number : string;
