// Media on an S3-compatible object store (AWS S3, MinIO, Garage, R2, ...) through the AWS SDK, loaded only when a site
// uses it. Names are cleaned like FileSystemStorage's and never overwrite an object: the write is conditional
// (If-None-Match: *), and a taken name gets a random suffix. Active types (HTML, SVG, XML) are stored with
// Content-Disposition: attachment so a bucket that serves them directly does not render them on the site's behalf.
import type { S3Client } from '@aws-sdk/client-s3';
import { ImproperlyConfigured, SuspiciousFileOperation } from '../errors.js';
import type { Settings } from '../settings.js';
import { contentTypeFor } from '../static/mime.js';
import { isActiveContentType } from './serve.js';
import { cleanStorageName, urlPath, withSuffix, type Storage } from './storage.js';

export interface S3StorageOptions {
  bucket: string;
  region?: string;
  /** An S3-compatible server's address (https://minio.example:9000); AWS itself when omitted. */
  endpoint?: string;
  /** Path-style addresses (endpoint/bucket/key): what most S3-compatible servers need. */
  forcePathStyle?: boolean;
  /** Omitted: the SDK's own chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a role, ...). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Keys are stored under this prefix ("media/"). */
  prefix?: string;
  /** Where browsers fetch objects (a CDN or the bucket's public address); default: the endpoint or AWS address. */
  publicUrl?: string;
}

type Sdk = typeof import('@aws-sdk/client-s3');

export class S3Storage implements Storage {
  readonly bucket: string;
  readonly prefix: string;
  readonly #options: S3StorageOptions;
  #client: Promise<{ sdk: Sdk; client: S3Client }> | null = null;

  constructor(options: S3StorageOptions) {
    if (!options.bucket) throw new ImproperlyConfigured('The S3 storage needs a bucket: set MEDIA_S3_BUCKET (or PADDOCK_MEDIA_S3_BUCKET).');
    this.bucket = options.bucket;
    this.prefix = options.prefix ? options.prefix.replace(/^\/+/, '').replace(/\/?$/, '/') : '';
    this.#options = options;
  }

  static fromSettings(s: Settings): S3Storage {
    return new S3Storage({
      bucket: s.MEDIA_S3_BUCKET,
      region: s.MEDIA_S3_REGION || undefined,
      endpoint: s.MEDIA_S3_ENDPOINT || undefined,
      forcePathStyle: s.MEDIA_S3_FORCE_PATH_STYLE,
      credentials: s.MEDIA_S3_ACCESS_KEY_ID ? { accessKeyId: s.MEDIA_S3_ACCESS_KEY_ID, secretAccessKey: s.MEDIA_S3_SECRET_ACCESS_KEY } : undefined,
      prefix: s.MEDIA_S3_PREFIX || undefined,
      publicUrl: s.MEDIA_S3_PUBLIC_URL || undefined,
    });
  }

  #sdk(): Promise<{ sdk: Sdk; client: S3Client }> {
    this.#client ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        region: this.#options.region ?? 'us-east-1',
        ...(this.#options.endpoint ? { endpoint: this.#options.endpoint } : {}),
        forcePathStyle: this.#options.forcePathStyle ?? Boolean(this.#options.endpoint),
        ...(this.#options.credentials ? { credentials: this.#options.credentials } : {}),
        // Checksums only where S3 requires them: S3-compatible servers often lack the newer checksum headers.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    }));
    return this.#client;
  }

  #key(name: string): string {
    if (!name || name.includes('\0') || name.split(/[\\/]/).includes('..') || name.startsWith('/')) {
      throw new SuspiciousFileOperation(`The file name '${name}' is not a valid storage name. Use a relative name without '..'.`);
    }
    return this.prefix + name;
  }

  async save(name: string, content: Buffer | Uint8Array): Promise<string> {
    const clean = cleanStorageName(name);
    const { sdk, client } = await this.#sdk();
    const type = contentTypeFor(clean);
    for (let attempt = 0; attempt < 20; attempt++) {
      const candidate = attempt === 0 ? clean : withSuffix(clean);
      try {
        await client.send(new sdk.PutObjectCommand({
          Bucket: this.bucket, Key: this.#key(candidate), Body: content, ContentType: type, IfNoneMatch: '*',
          ...(isActiveContentType(type) ? { ContentDisposition: 'attachment' } : {}),
        }));
        return candidate;
      } catch (err) {
        if (statusOf(err) === 412 || statusOf(err) === 409) continue; // taken (or being written): another name
        throw err;
      }
    }
    throw new SuspiciousFileOperation(`Could not find a free name for '${name}' in bucket ${this.bucket} after 20 attempts.`);
  }

  async open(name: string): Promise<Buffer> {
    const { sdk, client } = await this.#sdk();
    const res = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.#key(name) }));
    return Buffer.from(await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  }

  async delete(name: string): Promise<void> {
    const { sdk, client } = await this.#sdk();
    await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.#key(name) }));
  }

  async exists(name: string): Promise<boolean> {
    return (await this.#head(name)) !== null;
  }

  async size(name: string): Promise<number> {
    const head = await this.#head(name);
    if (!head) throw new SuspiciousFileOperation(`No object '${name}' in bucket ${this.bucket}.`);
    return head.size;
  }

  async #head(name: string): Promise<{ size: number } | null> {
    const { sdk, client } = await this.#sdk();
    try {
      const res = await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.#key(name) }));
      return { size: Number(res.ContentLength ?? 0) };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  url(name: string): string {
    const key = urlPath(this.#key(name));
    if (this.#options.publicUrl) return `${this.#options.publicUrl.replace(/\/$/, '')}/${urlPath(name)}`;
    if (this.#options.endpoint) return `${this.#options.endpoint.replace(/\/$/, '')}/${encodeURIComponent(this.bucket)}/${key}`;
    return `https://${this.bucket}.s3.${this.#options.region ?? 'us-east-1'}.amazonaws.com/${key}`;
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}
