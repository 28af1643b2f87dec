// Parses XML with a real, strict parser (Python's ElementTree) so feed and sitemap tests check well-formedness.
import { spawnSync } from 'node:child_process';

export interface XmlTree { tag: string; attrib: Record<string, string>; text: string; children: XmlTree[] }

const SCRIPT = `
import sys, json, xml.etree.ElementTree as E
def conv(e):
    return {"tag": e.tag, "attrib": dict(e.attrib), "text": (e.text or ""), "children": [conv(c) for c in e]}
print(json.dumps(conv(E.fromstring(sys.stdin.buffer.read()))))
`;

/** Throws when the document is not well-formed XML. Namespaced tags come back as '{uri}local'. */
export function parseXml(text: string): XmlTree {
  const r = spawnSync('/usr/bin/python3', ['-c', SCRIPT], { input: text, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`not well-formed XML: ${r.stderr}`);
  return JSON.parse(r.stdout) as XmlTree;
}

export function child(t: XmlTree, tag: string): XmlTree | undefined { return t.children.find((c) => c.tag === tag); }
export function children(t: XmlTree, tag: string): XmlTree[] { return t.children.filter((c) => c.tag === tag); }
