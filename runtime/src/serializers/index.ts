// Serializers (Django's format): model objects to JSON or XML and back, and dumpdata / loaddata over them.
// Relations are written as keys; loading checks every model and field name against the registry, refuses XML with a
// DOCTYPE (no entity tricks), and writes everything in one transaction.
import {
  atomic, ForeignKey, ManyToManyField, rawQuery, registry, type AnyInstance, type AnyModelClass, type Field, type ModelMeta,
} from '../db/index.js';
import { BadRequest, ValidationError } from '../errors.js';
import { FieldFile } from '../files/file.js';
import { el, xmlDocument, type XmlElement } from '../formats/xml.js';

export type Format = 'json' | 'xml';

/** One object in Django's layout: { model: "blog.post", pk: 1, fields: { title: "...", author: 3, tags: [1, 2] } }. */
export interface SerializedObject {
  model: string;
  pk: unknown;
  fields: Record<string, unknown>;
}

function modelKey(meta: ModelMeta): string {
  return `${meta.app}.${meta.modelName.toLowerCase()}`;
}

function findModel(key: string): AnyModelClass {
  for (const m of registry.models.values()) if (modelKey(m._meta) === key.toLowerCase()) return m;
  throw new BadRequest(`Unknown model '${key}' in the data. Load it in a site that has that app installed.`);
}

function jsonValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (v instanceof FieldFile) return v.name;
  if (typeof v === 'bigint') return v.toString();
  return v;
}

/** Objects as Django-layout records (many-to-many keys are read from the database). */
export async function toRecords(objects: Iterable<object> | AsyncIterable<object>, options: { fields?: readonly string[] } = {}): Promise<SerializedObject[]> {
  const out: SerializedObject[] = [];
  for await (const obj of objects as AsyncIterable<AnyInstance>) {
    const meta = (obj.constructor as AnyModelClass)._meta;
    const fields: Record<string, unknown> = {};
    for (const f of meta.fields) {
      if (f.primaryKey || (options.fields && !options.fields.includes(f.name))) continue;
      const src = obj as Record<string, unknown>;
      if (f instanceof ManyToManyField) {
        fields[f.name] = (await (src[f.name] as PromiseLike<AnyInstance[]>)).map((o) => jsonValue(o.pk));
      } else if (f instanceof ForeignKey) {
        fields[f.name] = jsonValue(src[f.attname] ?? null);
      } else {
        fields[f.name] = jsonValue(src[f.name] ?? null);
      }
    }
    out.push({ model: modelKey(meta), pk: jsonValue(obj.pk), fields });
  }
  return out;
}

export async function serialize(format: Format, objects: Iterable<object> | AsyncIterable<object>, options: { fields?: readonly string[]; indent?: number } = {}): Promise<string> {
  const records = await toRecords(objects, options);
  if (format === 'json') return JSON.stringify(records, null, options.indent);
  return xmlDocument(el('django-objects', { version: '1.0' }, ...records.map(recordToXml)));
}

function recordToXml(r: SerializedObject): XmlElement {
  const model = findModel(r.model);
  const children = Object.entries(r.fields).map(([name, value]) => {
    const f = model._meta.field(name);
    if (f instanceof ManyToManyField) {
      return el('field', { name, rel: 'ManyToManyRel', to: modelKey(f.related()._meta) }, ...(value as unknown[]).map((pk) => el('object', { pk: String(pk) })));
    }
    if (f instanceof ForeignKey) {
      return value === null ? el('field', { name, rel: 'ManyToOneRel', to: modelKey(f.related()._meta) }, el('None'))
        : el('field', { name, rel: 'ManyToOneRel', to: modelKey(f.related()._meta) }, String(value));
    }
    if (value === null) return el('field', { name, type: f.type }, el('None'));
    return el('field', { name, type: f.type }, typeof value === 'object' ? JSON.stringify(value) : String(value));
  });
  return el('object', { model: r.model, pk: String(r.pk) }, ...children);
}

// ---------------------------------------------------------------- reading

interface XmlNodeParsed { name: string; attrs: Record<string, string>; children: XmlNodeParsed[]; text: string }

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_m, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    const code = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return String.fromCodePoint(code);
  });
}

/** Just enough XML for our own format: elements, attributes, text. DTDs and entities beyond the five built in are refused. */
function parseXml(text: string): XmlNodeParsed {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new BadRequest('XML with a DOCTYPE or entity declarations is not accepted.');
  const src = text.replace(/^\uFEFF?\s*<\?xml[^>]*\?>/, '').replace(/<!--[\s\S]*?-->/g, '');
  const root: XmlNodeParsed = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  const tag = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < src.length && (m = tag.exec(src)) !== null) {
    pos = tag.lastIndex;
    const top = stack[stack.length - 1] as XmlNodeParsed;
    if (m[5] !== undefined) {
      top.text += unescapeXml(m[5]);
      continue;
    }
    if (m[1]) {
      if (top.name !== m[2] || stack.length === 1) throw new BadRequest(`Malformed XML: unexpected </${m[2]}>.`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (m[3] ?? '').matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1] as string] = unescapeXml(a[2] ?? a[3] ?? '');
    const node: XmlNodeParsed = { name: m[2] as string, attrs, children: [], text: '' };
    top.children.push(node);
    if (!m[4]) stack.push(node);
  }
  if (pos < src.length || stack.length !== 1) throw new BadRequest('Malformed XML: the document is incomplete.');
  const doc = root.children[0];
  if (!doc || doc.name !== 'django-objects') throw new BadRequest('The XML root must be <django-objects>.');
  return doc;
}

function xmlToRecords(text: string): SerializedObject[] {
  return parseXml(text).children.filter((n) => n.name === 'object').map((o) => {
    const fields: Record<string, unknown> = {};
    for (const f of o.children.filter((c) => c.name === 'field')) {
      const name = f.attrs.name ?? '';
      if (f.attrs.rel === 'ManyToManyRel') fields[name] = f.children.filter((c) => c.name === 'object').map((c) => c.attrs.pk);
      else if (f.children.some((c) => c.name === 'None')) fields[name] = null;
      else fields[name] = f.text;
    }
    return { model: o.attrs.model ?? '', pk: o.attrs.pk, fields };
  });
}

function coerce(f: Field, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') return value;
  switch (f.type) {
    case 'integer': case 'auto': case 'float': return Number(value);
    case 'bigInteger': return BigInt(value);
    case 'boolean': return value === 'true' || value === 'True' || value === '1';
    case 'datetime': return new Date(value);
    case 'json': return JSON.parse(value);
    default: return value;
  }
}

/** Parses data into unsaved instances plus their many-to-many keys; every model and field name is checked. */
export function deserialize(format: Format, text: string): Array<{ instance: AnyInstance; m2m: Record<string, unknown[]> }> {
  let records: SerializedObject[];
  if (format === 'json') {
    try {
      records = JSON.parse(text) as SerializedObject[];
    } catch {
      throw new BadRequest('The data is not valid JSON.');
    }
    if (!Array.isArray(records)) throw new BadRequest('JSON data must be a list of objects.');
  } else {
    records = xmlToRecords(text);
  }
  return records.map((r) => {
    if (typeof r !== 'object' || r === null || typeof r.model !== 'string' || typeof r.fields !== 'object' || r.fields === null) {
      throw new BadRequest('Each object needs "model", "pk" and "fields".');
    }
    const model = findModel(r.model);
    const meta = model._meta;
    const data: Record<string, unknown> = {};
    const m2m: Record<string, unknown[]> = {};
    const pkField = meta.pk;
    // A value that cannot be read as its field's type is a ValidationError naming the field and the object.
    const read = (name: string, f: Field, value: unknown) => {
      try {
        return coerce(f, value);
      } catch (e) {
        throw new ValidationError({ [name]: `${r.model} ${JSON.stringify(r.pk)}: ${JSON.stringify(value)} is not a valid ${f.type} (${(e as Error).message}).` });
      }
    };
    if (r.pk !== undefined && r.pk !== null) data[pkField.attname] = read(pkField.name, pkField, r.pk);
    for (const [name, value] of Object.entries(r.fields)) {
      const f = meta.field(name); // throws FieldError for unknown names
      if (f instanceof ManyToManyField) {
        if (!Array.isArray(value)) throw new BadRequest(`${r.model}.${name} must be a list of keys.`);
        m2m[name] = value.map((v) => read(name, f.related()._meta.pk, v));
      } else if (f instanceof ForeignKey) {
        data[f.attname] = read(name, f.related()._meta.pk, value);
      } else {
        data[name] = read(name, f, value);
      }
    }
    return { instance: new model(data), m2m };
  });
}

/** dumpdata: every object of the given models (default: all registered models). */
export async function dumpData(format: Format, models: ReadonlyArray<{ readonly _meta: ModelMeta }> = [...registry.models.values()], options: { indent?: number } = {}): Promise<string> {
  const objects: AnyInstance[] = [];
  for (const m of models as AnyModelClass[]) objects.push(...await m.objects.all().orderBy('pk'));
  return serialize(format, objects, options);
}

/** loaddata: saves every object (insert or update by key) in one transaction; returns how many were loaded. */
export async function loadData(format: Format, text: string): Promise<number> {
  const items = deserialize(format, text);
  await atomic(async () => {
    for (const { instance } of items) {
      const model = instance.constructor as AnyModelClass;
      const exists = instance.pk !== undefined && instance.pk !== null && await model.objects.filter({ pk: instance.pk }).exists();
      // Built from data, the instance counts as new: an existing key is updated in place, not inserted again.
      await instance.save(exists ? { forceUpdate: true } : { forceInsert: true });
    }
    for (const { instance, m2m } of items) {
      for (const [name, keys] of Object.entries(m2m)) {
        await ((instance as Record<string, unknown>)[name] as { set(k: readonly unknown[]): Promise<void> }).set(keys as Array<string | number>);
      }
    }
    // Objects were inserted with their own keys: move identity sequences past them so new rows do not collide.
    const models = new Set(items.map(({ instance }) => instance.constructor as AnyModelClass));
    for (const m of models) {
      const pk = m._meta.pk;
      if (pk.type !== 'auto') continue;
      const table = `"${m._meta.table.replace(/"/g, '""')}"`;
      await rawQuery(`select setval(pg_get_serial_sequence($1, $2), greatest((select max("${pk.column}") from ${table}), 1))`, [table, pk.column]);
    }
  });
  return items.length;
}

