import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { path, render, Response, type Request, BadRequest, SuspiciousFileOperation } from '@paddock/runtime';
import { defineForm, fields, formInput, parseMultipart, safeBaseName, FileSystemStorage } from '@paddock/runtime/forms';
import { call, csrfFrom, makeSite, tempDir } from '../helpers/site.js';

const BOUNDARY = '----paddockBoundary7MA4YWxk';
type Part = { name: string; value?: string; filename?: string; content?: string | Buffer; type?: string; rawDisposition?: string };

function multipart(parts: Part[], boundary = BOUNDARY): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = p.rawDisposition ?? `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`;
    chunks.push(Buffer.from(head), Buffer.from(p.content ?? p.value ?? ''), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
const CT = `multipart/form-data; boundary=${BOUNDARY}`;

test('multipart bodies give fields and files, binary content intact', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x0d, 0x0a, 0x2d, 0x2d]);
  const { data, files } = parseMultipart(multipart([
    { name: 'title', value: 'Hello\r\nworld' },
    { name: 'tags', value: 'a' },
    { name: 'tags', value: 'b' },
    { name: 'pic', filename: 'cat.png', content: png, type: 'image/png' },
    { name: 'empty', filename: '', content: '' },
  ]), CT);
  assert.equal(data.get('title'), 'Hello\r\nworld');
  assert.deepEqual(data.getAll('tags'), ['a', 'b']);
  const pic = files.get('pic')?.[0];
  assert.equal(pic?.name, 'cat.png');
  assert.equal(pic?.contentType, 'image/png');
  assert.deepEqual(pic?.data, png);
  assert.equal(files.has('empty'), false, 'an empty file input means no file');
});

test('client file names lose their directories and control characters', () => {
  const { files } = parseMultipart(multipart([
    { name: 'a', filename: '../../etc/passwd', content: 'x' },
    { name: 'b', filename: 'C:\\Users\\me\\evil.exe', content: 'x' },
    { name: 'c', filename: 'ok\u0000.txt\r', content: 'x' },
    { name: 'd', rawDisposition: `form-data; name="d"; filename*=UTF-8''%2E%2E%2Fr%C3%A9sum%C3%A9.pdf`, content: 'x' },
  ]), CT);
  assert.equal(files.get('a')?.[0]?.name, 'passwd');
  assert.equal(files.get('b')?.[0]?.name, 'evil.exe');
  assert.equal(files.get('c')?.[0]?.name, 'ok.txt');
  assert.equal(files.get('d')?.[0]?.name, 'résumé.pdf');
  assert.equal(safeBaseName('..'), '');
});

test('malformed or abusive multipart bodies are a 400, not a crash or a hang', () => {
  const many = Array.from({ length: 1001 }, (_, i) => ({ name: `f${i}`, value: 'x' }));
  const cases: [Buffer, string][] = [
    [multipart([{ name: 'a', value: 'x' }]), 'multipart/form-data'],
    [Buffer.from('no boundary here'), CT],
    [Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated`), CT],
    [Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"`), CT],
    [multipart(many), CT],
  ];
  for (const [body, ct] of cases) assert.throws(() => parseMultipart(body, ct), BadRequest);
  const files = Array.from({ length: 3 }, (_, i) => ({ name: `f${i}`, filename: `f${i}.txt`, content: 'x' }));
  assert.throws(() => parseMultipart(multipart(files), CT, { maxFiles: 2 }), BadRequest);
});

test('file fields check presence, emptiness, size and extension', async () => {
  const F = defineForm({ doc: fields.file({ maxSize: 10, allowedExtensions: ['txt'] }) });
  const errorsFor = async (content: string, filename: string) => {
    const form = new F({ input: parseMultipart(multipart([{ name: 'doc', filename, content }]), CT) });
    await form.isValid();
    return form.errors.doc?.map((i) => i.code) ?? [];
  };
  assert.deepEqual(await errorsFor('hello', 'a.txt'), []);
  assert.deepEqual(await errorsFor('', 'a.txt'), ['empty']);
  assert.deepEqual(await errorsFor('01234567890', 'a.txt'), ['max_size']);
  assert.deepEqual(await errorsFor('hi', 'a.TXT.exe'), ['invalid_extension']);
  assert.deepEqual(await errorsFor('hi', '../..'), ['missing_name']);
  const none = new F({ data: {} });
  await none.isValid();
  assert.deepEqual(none.errors.doc?.map((i) => i.code), ['required']);
});

test('the local storage cleans names, never overwrites, and refuses to leave its folder', async () => {
  const { dir, cleanup } = tempDir('pdk-storage-');
  try {
    const storage = new FileSystemStorage({ location: dir, baseUrl: '/media' });
    const a = await storage.save('avatars/my photo.png', Buffer.from('one'));
    const b = await storage.save('avatars/my photo.png', Buffer.from('two'));
    assert.equal(a, 'avatars/my_photo.png');
    assert.match(b, /^avatars\/my_photo_[0-9a-f]{8}\.png$/);
    assert.equal((await storage.open(a)).toString(), 'one', 'the first file was not overwritten');
    assert.equal(await storage.size(b), 3);
    assert.equal(storage.url(a), '/media/avatars/my_photo.png');
    for (const evil of ['../escape.txt', 'a/../../escape.txt', '/etc/passwd', '..', 'a/\0b']) {
      await assert.rejects(storage.save(evil, Buffer.from('x')), SuspiciousFileOperation, evil);
    }
    for (const evil of ['../x', '/etc/passwd', 'a/../../x']) {
      await assert.rejects(storage.open(evil), SuspiciousFileOperation, evil);
      assert.throws(() => storage.url(evil), SuspiciousFileOperation);
    }
    await assert.rejects(storage.save('<>?.', Buffer.from('x')), SuspiciousFileOperation);
    assert.equal(await storage.save('<script>.txt', Buffer.from('x')), 'script.txt');
    await storage.delete(a);
    assert.equal(await storage.exists(a), false);
  } finally {
    cleanup();
  }
});

test('a symlink planted in the storage folder is not followed when saving', async () => {
  const { dir, cleanup } = tempDir('pdk-storage-');
  const outside = tempDir('pdk-outside-');
  try {
    const target = join(outside.dir, 'victim.txt');
    await writeFile(target, 'original');
    await symlink(target, join(dir, 'upload.txt'));
    const storage = new FileSystemStorage({ location: dir });
    const saved = await storage.save('upload.txt', Buffer.from('overwritten?'));
    assert.notEqual(saved, 'upload.txt');
    assert.equal(await readFile(target, 'utf8'), 'original');
    assert.equal((await lstat(join(dir, saved))).isSymbolicLink(), false);
  } finally {
    cleanup();
    outside.cleanup();
  }
});

test('through a real site: a multipart upload with the CSRF token from the rendered form is accepted and stored', async () => {
  const { dir, cleanup } = tempDir('pdk-upload-site-');
  const storage = new FileSystemStorage({ location: dir });
  const Upload = defineForm({ caption: fields.char(), file: fields.file({ allowedExtensions: ['txt'] }) });
  const view = async (req: Request) => {
    const form = req.method === 'POST' ? new Upload({ input: formInput(req) }) : new Upload();
    if (req.method === 'POST' && await form.isValid()) {
      const name = await storage.save(`uploads/${form.cleanedData.file?.name}`, form.cleanedData.file?.data ?? Buffer.alloc(0));
      return new Response(`saved ${name} ${form.cleanedData.caption}`);
    }
    return new Response(String(form.renderForm({ request: req })), { status: req.method === 'POST' ? 400 : 200 });
  };
  const site = makeSite({ urls: [path('upload/', view), path('tpl/', (req: Request) => render(req, 'x.html'))] });
  try {
    const page = await call(site, '/upload/');
    assert.match(page.text(), /enctype="multipart\/form-data"/);
    const { cookie, token } = csrfFrom(page);
    const body = multipart([
      { name: 'csrfmiddlewaretoken', value: token },
      { name: 'caption', value: 'notes' },
      { name: 'file', filename: '../../notes.txt', content: 'file body', type: 'text/plain' },
    ]);
    const ok = await call(site, '/upload/', { method: 'POST', body, headers: { 'content-type': CT, cookie: `csrftoken=${cookie}` } });
    assert.equal(ok.status, 200, ok.text());
    assert.equal(ok.text(), 'saved uploads/notes.txt notes');
    assert.equal(await readFile(join(dir, 'uploads/notes.txt'), 'utf8'), 'file body');
    // The same upload without the token is stopped by CSRF protection before the view.
    const noToken = multipart([{ name: 'caption', value: 'x' }, { name: 'file', filename: 'a.txt', content: 'x' }]);
    const refused = await call(site, '/upload/', { method: 'POST', body: noToken, headers: { 'content-type': CT, cookie: `csrftoken=${cookie}` } });
    assert.equal(refused.status, 403);
  } finally {
    cleanup();
  }
});
