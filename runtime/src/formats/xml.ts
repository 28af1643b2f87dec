// A small XML writer: escaped text and attributes, elements built as values, and plain data serialised to XML.

/** Text escaped for XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'))
    // Characters XML 1.0 forbids outright: drop them rather than emit a document no parser accepts.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}

/** An XML element built with el(): its name, attributes and children. */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string | number | undefined>>;
  readonly children: readonly XmlNode[];
}
/** A child of an element: an element, text (escaped when written), or nothing. */
export type XmlNode = XmlElement | string | number | null | undefined;

/** el('item', { id: 1 }, el('title', {}, 'A & B')) */
export function el(name: string, attrs: XmlElement['attrs'] = {}, ...children: XmlNode[]): XmlElement {
  return { name, attrs, children };
}

/** An element (or text) as XML text, every value escaped. */
export function renderXml(node: XmlNode): string {
  if (node === null || node === undefined) return '';
  if (typeof node === 'string') return escapeXml(node);
  if (typeof node === 'number') return String(node);
  let s = `<${node.name}`;
  for (const [k, v] of Object.entries(node.attrs)) if (v !== undefined) s += ` ${k}="${escapeXml(String(v))}"`;
  if (node.children.length === 0) return `${s}/>`;
  s += '>';
  for (const c of node.children) s += renderXml(c);
  return `${s}</${node.name}>`;
}

/** A whole XML document: the declaration and the root element. */
export function xmlDocument(root: XmlElement): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${renderXml(root)}`;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9._-]*$/;

/**
 * Plain data as XML: objects become child elements, arrays repeat an <item>, dates become ISO strings.
 * Keys that are not valid XML names are written as <field name="...">.
 */
export function toXmlElement(name: string, data: unknown): XmlElement {
  const tag = NAME_RE.test(name) ? name : 'field';
  const attrs = tag === name ? {} : { name };
  if (data === null || data === undefined) return el(tag, { ...attrs, nil: 'true' });
  if (data instanceof Date) return el(tag, attrs, data.toISOString());
  if (Array.isArray(data)) return el(tag, attrs, ...data.map((d) => toXmlElement('item', d)));
  if (typeof data === 'object') {
    return el(tag, attrs, ...Object.entries(data as Record<string, unknown>).map(([k, v]) => toXmlElement(k, v)));
  }
  return el(tag, attrs, String(data));
}
