// The fenced code blocks of a Markdown page, with the attributes of their info string: ```ts file=polls/models.ts```
// is a TypeScript block whose `file` is polls/models.ts. Readers (and GitHub) see only the language; the attributes
// tell the tutorial's runner what to do with the block. Parsed by markdown-it, so what counts as a block here is
// exactly what the docs site renders as one.
import MarkdownIt from 'markdown-it';

export interface CodeBlock {
  /** The language: the info string's first word ('ts', 'console', 'html'). */
  lang: string;
  attrs: Record<string, string>;
  content: string;
  /** 0-based line of the opening fence and the line after the closing fence, in the page's source. */
  start: number;
  end: number;
}

const parser = new MarkdownIt();

/** `ts file=a.ts answers="x|y" norun` → { lang: 'ts', attrs: { file: 'a.ts', answers: 'x|y', norun: '' } }. */
export function parseInfo(info: string): { lang: string; attrs: Record<string, string> } {
  const words = info.trim().match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
  const [lang = '', ...rest] = words;
  const attrs: Record<string, string> = {};
  for (const w of rest) {
    const eq = w.indexOf('=');
    if (eq < 0) attrs[w] = '';
    else attrs[w.slice(0, eq)] = w.slice(eq + 1).replace(/^"(.*)"$/, '$1');
  }
  return { lang, attrs };
}

export function codeBlocks(markdown: string): CodeBlock[] {
  return parser.parse(markdown, {})
    .filter((t) => t.type === 'fence' && t.map)
    .map((t) => ({ ...parseInfo(t.info), content: t.content, start: (t.map as [number, number])[0], end: (t.map as [number, number])[1] }));
}

/** The page with one block's content replaced (its fences and info string kept). */
export function replaceBlock(markdown: string, block: CodeBlock, content: string): string {
  const lines = markdown.split('\n');
  const open = lines[block.start] as string;
  const close = lines[block.end - 1] as string;
  const body = content.endsWith('\n') ? content.slice(0, -1) : content;
  lines.splice(block.start, block.end - block.start, open, ...(body === '' ? [] : body.split('\n')), close);
  return lines.join('\n');
}
