// Files on models: fields.file() and fields.image() on a storage (MEDIA_ROOT by default, S3 when configured), model
// forms taking uploads, uploads served with safe headers, and the media quota. Rows live in real Postgres.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FieldFile, FileSystemStorage, S3Storage, StorageQuotaExceeded, SuspiciousFileOperation, ValidationError, contentFile, defaultStorage, fields,
  imageDimensions, makeMigrations, model, type Manager,
} from '@paddock/runtime';
import { modelForm, type UploadedFile } from '@paddock/runtime/forms';
import { dumpData, loadData } from '@paddock/runtime/serializers';
import { createServer, type SiteServer } from '@paddock/runtime/host';
import { testDatabase } from '../contrib/helpers/db.js';
import { makeSite, tempDir } from '../helpers/site.js';
import { gif, jpeg, png, webp } from './images.js';
import { startS3StandIn, type S3StandIn } from './s3-stand-in.js';

class Photo extends model('media.Photo', {
  title: fields.char({ maxLength: 100 }),
  image: fields.image({ uploadTo: 'photos/', widthField: 'width', heightField: 'height', blank: false }),
  width: fields.integer({ null: true, blank: true, editable: false }),
  height: fields.integer({ null: true, blank: true, editable: false }),
  attachment: fields.file({ uploadTo: 'docs/%Y/' }),
}) {
  declare static objects: Manager<Photo>;
}

const upload = (name: string, data: Buffer, contentType = 'application/octet-stream'): UploadedFile => ({ name, data, size: data.length, contentType });

describe('files on models', () => {
  const app = tempDir('pdk-media-app-');
  const siteDir = tempDir('pdk-media-site-');
  const apps = [{ label: 'media', dir: app.dir }];
  let db: { drop: () => Promise<void> };
  const site = makeSite({ urls: [], dir: siteDir.dir, settings: { MEDIA_ROOT: 'uploads', MEDIA_URL: '/media/', ALLOWED_HOSTS: ['testserver', '127.0.0.1'] } });
  const root = join(siteDir.dir, 'uploads');

  before(async () => {
    await makeMigrations({ apps });
    db = await testDatabase(apps);
  });
  after(async () => {
    await db?.drop();
    app.cleanup();
    siteDir.cleanup();
  });

  test('image dimensions are read from PNG, GIF, JPEG and WebP headers without a native library', () => {
    assert.deepEqual(imageDimensions(png(3, 2)), { width: 3, height: 2, type: 'png' });
    assert.deepEqual(imageDimensions(gif(40, 30)), { width: 40, height: 30, type: 'gif' });
    assert.deepEqual(imageDimensions(jpeg(640, 480)), { width: 640, height: 480, type: 'jpg' });
    assert.deepEqual(imageDimensions(webp(1024, 768)), { width: 1024, height: 768, type: 'webp' });
    assert.equal(imageDimensions(Buffer.from('<html>not an image</html>')), null);
  });

  test('fields.file() and fields.image() store uploads under MEDIA_ROOT with safe, unique names; the image field records width and height', async () => {
    assert.ok(site.settings.MEDIA_ROOT);
    const photo = new Photo({ title: 'Cat', image: contentFile('my cat.png', png(3, 2)) });
    Object.assign(photo, { attachment: contentFile('notes.txt', 'hello') });
    await photo.save();
    assert.ok(photo.image instanceof FieldFile);
    assert.equal(photo.image.name, 'photos/my_cat.png');
    assert.deepEqual([photo.width, photo.height], [3, 2]);
    assert.match(String(photo.attachment), /^docs\/\d{4}\/notes\.txt$/);
    assert.deepEqual(readFileSync(join(root, 'photos', 'my_cat.png')), png(3, 2));

    const again = await Photo.objects.create({ title: 'Cat again', image: contentFile('my cat.png', png(5, 4)) });
    assert.match(again.image!.name, /^photos\/my_cat_[0-9a-f]{8}\.png$/, 'a taken name is never overwritten');
    const loaded = await Photo.objects.get({ pk: photo.id });
    assert.ok(loaded.image instanceof FieldFile);
    assert.equal(loaded.image.url, '/media/photos/my_cat.png');
    assert.equal(await loaded.image.size(), png(3, 2).length);
    assert.deepEqual(await loaded.image.open(), png(3, 2));
    assert.equal(JSON.stringify({ image: loaded.image }), '{"image":"photos/my_cat.png"}');
    // dumpdata / loaddata carry the stored name, in both formats.
    const xml = await dumpData('xml', [Photo]);
    assert.match(xml, /<field name="image" type="image">photos\/my_cat.png<\/field>/);
    await loadData('xml', xml);
    assert.equal((await Photo.objects.get({ pk: photo.id })).image?.url, '/media/photos/my_cat.png');

    await assert.rejects(Photo.objects.create({ title: 'Escape', image: contentFile('../../etc/passwd.png', png(1, 1)) }), SuspiciousFileOperation);
    const notImage = new Photo({ title: 'Fake', image: contentFile('evil.png', '<script>alert(1)</script>') });
    await assert.rejects(notImage.fullClean(), (err: unknown) => err instanceof ValidationError && err.fieldIssues.image?.[0]?.code === 'invalid_image');
    await assert.rejects(notImage.save(), ValidationError, 'save() never stores a non-image in an image field');
    assert.equal(existsSync(join(root, 'photos', 'evil.png')), false);
  });

  test('model forms handle uploads into file and image fields, keeping the stored file when nothing new is uploaded', async () => {
    const PhotoForm = await modelForm(Photo, { fields: ['title', 'image', 'attachment'] });
    const blank = await PhotoForm.bind(undefined);
    assert.equal(blank.isMultipart, true);
    assert.match(String(blank.field('image').widgetHtml()), /<input type="file" name="image" required accept="image\/\*"/);

    const form = await PhotoForm.bind(undefined, { data: { title: 'Dog' }, files: new Map([['image', [upload('dog.png', png(8, 6), 'image/png')]]]) });
    assert.equal(await form.isValid(), true, JSON.stringify(form.errors));
    const saved = await form.save() as Photo;
    assert.equal(saved.image?.name, 'photos/dog.png');
    assert.deepEqual([saved.width, saved.height], [8, 6]);

    const edit = await PhotoForm.bind(saved, { data: { title: 'Dog (renamed)' } });
    assert.equal(await edit.isValid(), true, JSON.stringify(edit.errors));
    await edit.save();
    const reloaded = await Photo.objects.get({ pk: saved.id });
    assert.deepEqual([reloaded.title, reloaded.image?.name], ['Dog (renamed)', 'photos/dog.png']);

    const bad = await PhotoForm.bind(undefined, { data: { title: 'Fake' }, files: new Map([['image', [upload('fake.png', Buffer.from('GIF? no'), 'image/png')]]]) });
    assert.equal(await bad.isValid(), false);
    assert.equal(bad.errors.image?.[0]?.code, 'invalid_image');
    const missing = await PhotoForm.bind(undefined, { data: { title: 'No file' } });
    assert.equal(await missing.isValid(), false);
    assert.equal(missing.errors.image?.[0]?.code, 'required');
  });

  describe('serving uploads', () => {
    let server: SiteServer;
    let base: string;
    before(async () => {
      mkdirSync(join(root, 'served'), { recursive: true });
      writeFileSync(join(root, 'served', 'page.html'), '<script>document.cookie</script>');
      writeFileSync(join(root, 'served', 'drawing.svg'), '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
      writeFileSync(join(root, 'served', 'feed.xml'), '<x/>');
      writeFileSync(join(root, 'served', 'cat.png'), png(2, 2));
      writeFileSync(join(siteDir.dir, 'secret.txt'), 'outside MEDIA_ROOT');
      server = createServer(site);
      base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
    });
    after(() => server?.close());

    test('uploads are served under MEDIA_URL with nosniff and a sandboxing CSP, and HTML, SVG and XML as attachments', async () => {
      const get = (p: string) => fetch(base + p);
      const image = await get('/media/served/cat.png');
      assert.equal(image.status, 200);
      assert.equal(image.headers.get('content-type'), 'image/png');
      assert.match(image.headers.get('content-disposition') ?? '', /^inline; filename="cat.png"/);
      assert.deepEqual(Buffer.from(await image.arrayBuffer()), png(2, 2));
      for (const [name, type] of [['page.html', 'text/html'], ['drawing.svg', 'image/svg+xml'], ['feed.xml', 'application/xml']]) {
        const res = await get(`/media/served/${name}`);
        assert.equal(res.status, 200, name);
        assert.ok(res.headers.get('content-type')?.startsWith(type as string), name);
        assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename=/, `${name} is downloaded, never rendered on the site's origin`);
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
        assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'.*sandbox/);
        await res.arrayBuffer();
      }
      for (const attack of ['/media/../secret.txt', '/media/%2e%2e/secret.txt', '/media/served/..%2f..%2fsecret.txt', '/media/served/missing.png']) {
        const res = await get(attack);
        assert.equal(res.status, 404, attack);
        assert.doesNotMatch(await res.text(), /outside MEDIA_ROOT/);
      }
    });
  });

  test('the media quota refuses a save that would go past it, counting files other processes wrote', async () => {
    const dir = tempDir('pdk-quota-');
    try {
      const storage = new FileSystemStorage({ location: dir.dir, maxBytes: 1000, measureEveryMs: 0 });
      await storage.save('a.bin', Buffer.alloc(600));
      await assert.rejects(storage.save('b.bin', Buffer.alloc(500)), (err: unknown) =>
        err instanceof StorageQuotaExceeded && err.status === 413 && /media storage is full/.test(err.message));
      await storage.save('b.bin', Buffer.alloc(300));
      writeFileSync(join(dir.dir, 'from-another-replica.bin'), Buffer.alloc(90));
      await assert.rejects(storage.save('c.bin', Buffer.alloc(20)), StorageQuotaExceeded);
      await storage.delete('a.bin');
      await storage.save('c.bin', Buffer.alloc(20));
      // On the platform the quota arrives as PADDOCK_MEDIA_QUOTA_BYTES.
      const platformSite = makeSite({ urls: [], dir: dir.dir, env: { PADDOCK_MEDIA_QUOTA_BYTES: '2048', PADDOCK_MEDIA_ROOT: dir.dir } });
      const storageOfSite = defaultStorage();
      assert.ok(storageOfSite instanceof FileSystemStorage);
      assert.deepEqual([storageOfSite.maxBytes, storageOfSite.location, platformSite.settings.MEDIA_QUOTA_BYTES], [2048, dir.dir, 2048]);
    } finally {
      dir.cleanup();
    }
  });
});

describe('S3 storage', () => {
  let s3: S3StandIn;
  before(async () => { s3 = await startS3StandIn({ bucket: 'site-media', accessKeyId: 'AKIDTEST' }); });
  after(() => s3?.close());

  test('S3Storage stores, reads, names uniquely and deletes through the real AWS SDK (against a local stand-in: no S3 server is packaged here)', async () => {
    const storage = new S3Storage({
      bucket: 'site-media', endpoint: s3.endpoint, region: 'eu-west-1', prefix: 'media',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    });
    const first = await storage.save('photos/my cat.png', png(2, 2));
    const second = await storage.save('photos/my cat.png', png(4, 4));
    assert.equal(first, 'photos/my_cat.png');
    assert.match(second, /^photos\/my_cat_[0-9a-f]{8}\.png$/);
    assert.deepEqual(await storage.open(first), png(2, 2));
    assert.equal(await storage.size(second), png(4, 4).length);
    assert.equal(await storage.exists('photos/none.png'), false);
    assert.equal(storage.url(first), `${s3.endpoint}/site-media/media/photos/my_cat.png`);
    assert.equal(s3.objects.get('media/photos/my_cat.png')?.contentType, 'image/png');
    await storage.save('page.html', Buffer.from('<script></script>'));
    assert.equal(s3.objects.get('media/page.html')?.contentDisposition, 'attachment', 'active types are stored as downloads');
    await storage.delete(first);
    assert.equal(await storage.exists(first), false);
    assert.ok(s3.requests.includes('PUT media/photos/my_cat.png'));
    await assert.rejects(storage.open('../x'), SuspiciousFileOperation);
    const wrongKey = new S3Storage({ bucket: 'site-media', endpoint: s3.endpoint, credentials: { accessKeyId: 'OTHER', secretAccessKey: 'x' } });
    await assert.rejects(wrongKey.save('x.txt', Buffer.from('x')), /not signed with the expected key|AccessDenied/);
  });

  test('MEDIA_STORAGE "s3" makes S3 the default storage of file fields, from settings or PADDOCK_MEDIA_S3_* variables', () => {
    makeSite({ urls: [], env: { PADDOCK_MEDIA_STORAGE: 's3', PADDOCK_MEDIA_S3_BUCKET: 'site-media', PADDOCK_MEDIA_S3_ENDPOINT: s3.endpoint } });
    const storage = defaultStorage();
    assert.ok(storage instanceof S3Storage);
    assert.equal(storage.bucket, 'site-media');
  });
});
