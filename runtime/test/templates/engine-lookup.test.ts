// Which engine renders a template is looked up on disk once per name when DEBUG is off, every time when it is on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TemplateEngines, type TemplateEngine } from '../../src/templates/engine.js';

function fakeEngine(files: Set<string>, label: string): TemplateEngine & { asked: number } {
  return {
    asked: 0,
    has(name: string) { this.asked++; return files.has(name); },
    render: async (name: string) => `${label}:${name}`,
    renderString: async (s: string) => s,
  };
}

function engines(cacheLookups: boolean) {
  const firstFiles = new Set<string>();
  const secondFiles = new Set(['page.html']);
  const first = fakeEngine(firstFiles, 'first');
  const second = fakeEngine(secondFiles, 'second');
  const all = new TemplateEngines([
    { engine: first, contextProcessors: [], dirs: ['one'] },
    { engine: second, contextProcessors: [], dirs: ['two'] },
  ], (name) => new Error(`no ${name}`), { cacheLookups });
  return { all, first, second, firstFiles };
}

describe('template lookups', () => {
  it('with DEBUG off, asks the engines once per found name, and again for a name not found yet', async () => {
    const { all, first, second, firstFiles } = engines(true);
    for (let i = 0; i < 3; i++) assert.equal(await all.render('page.html', {}), 'second:page.html');
    assert.equal(first.asked + second.asked, 2, 'one lookup: the first engine said no, the second yes');
    await assert.rejects(all.render('new.html', {}), /no new\.html/);
    firstFiles.add('new.html');
    assert.equal(await all.render('new.html', {}), 'first:new.html', 'a template that appears later is found');
  });

  it('with DEBUG on, looks every time, so a template added earlier in the folder order wins at once', async () => {
    const { all, firstFiles } = engines(false);
    assert.equal(await all.render('page.html', {}), 'second:page.html');
    firstFiles.add('page.html');
    assert.equal(await all.render('page.html', {}), 'first:page.html');
  });
});
