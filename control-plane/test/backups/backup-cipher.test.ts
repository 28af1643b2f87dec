import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { decryptBackup, encryptBackup } from '../../src/backups/backup-cipher.js';

const key = randomBytes(32).toString('base64');

async function seal(plain: Buffer, id: string, chunk = 1000): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < plain.length; i += chunk) parts.push(plain.subarray(i, i + chunk));
  const out: Buffer[] = [];
  const enc = encryptBackup(key, id);
  enc.on('data', (c: Buffer) => out.push(c));
  await pipeline(Readable.from(parts), enc);
  return Buffer.concat(out);
}

async function open(sealed: Buffer, id: string, k = key): Promise<Buffer> {
  const out: Buffer[] = [];
  const dec = decryptBackup(k, id);
  dec.on('data', (c: Buffer) => out.push(c));
  await pipeline(Readable.from([sealed.subarray(0, 7), sealed.subarray(7)]), dec);
  return Buffer.concat(out);
}

test('a sealed backup opens to the same bytes (empty, one record, many records) and shows none of them', async () => {
  for (const size of [0, 10, 64 * 1024, 200_000]) {
    const id = randomUUID();
    const plain = Buffer.alloc(size, 'secret row ');
    const sealed = await seal(plain, id);
    if (size) assert.equal(sealed.indexOf('secret row'), -1, 'no plaintext in the stored bytes');
    assert.deepEqual(await open(sealed, id), plain);
  }
});

test('a tampered, truncated, extended or moved backup does not open, and no unauthenticated byte is released', async () => {
  const id = randomUUID();
  const plain = randomBytes(150_000);
  const sealed = await seal(plain, id);
  const flipped = Buffer.from(sealed);
  flipped[100_000] = flipped[100_000]! ^ 1;
  await assert.rejects(open(flipped, id), /record 1 does not authenticate/);
  // The first record (authenticated) may come out; nothing of the tampered one does.
  const released: Buffer[] = [];
  const dec = decryptBackup(key, id);
  dec.on('data', (c: Buffer) => released.push(c));
  await assert.rejects(pipeline(Readable.from([flipped]), dec));
  assert.ok(Buffer.concat(released).length <= 64 * 1024);
  await assert.rejects(open(sealed.subarray(0, sealed.length - 30), id), /truncated/);
  // Cut exactly at a record boundary (the last record gone): still noticed.
  const firstTwo = 8 + 16 + 2 * (5 + 64 * 1024 + 16);
  await assert.rejects(open(sealed.subarray(0, firstTwo), id), /truncated/);
  await assert.rejects(open(Buffer.concat([sealed, Buffer.from('more')]), id), /after the last record/);
  await assert.rejects(open(sealed, randomUUID()), /does not authenticate/, "another backup's id (a file moved between backups)");
  await assert.rejects(open(sealed, id, randomBytes(32).toString('base64')), /does not authenticate/, 'another master key');
  await assert.rejects(open(Buffer.from('PGDMP plain dump'), id), /bad header|truncated/);
  assert.equal(await text(Readable.from([])), '');
});
