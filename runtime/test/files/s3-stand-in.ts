// A stand-in for an S3-compatible server, for the one test of S3Storage: no S3 server is packaged for Debian, so the
// real AWS SDK talks to this small HTTP server, which implements the few calls the storage makes (path-style
// PutObject with If-None-Match, GetObject, HeadObject, DeleteObject) and refuses requests not signed with the
// expected access key. It keeps objects in memory and records what it was asked.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredObject { body: Buffer; contentType: string | undefined; contentDisposition: string | undefined }

export interface S3StandIn {
  endpoint: string;
  objects: Map<string, StoredObject>;
  requests: string[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function xmlError(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

export async function startS3StandIn(opts: { bucket: string; accessKeyId: string }): Promise<S3StandIn> {
  const objects = new Map<string, StoredObject>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const [, bucket, ...rest] = url.pathname.split('/');
      const key = rest.map(decodeURIComponent).join('/');
      requests.push(`${req.method} ${key}`);
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith(`AWS4-HMAC-SHA256 Credential=${opts.accessKeyId}/`) || !req.headers['x-amz-date']) {
        res.writeHead(403, { 'content-type': 'application/xml' }).end(xmlError('AccessDenied', 'The request is not signed with the expected key.'));
        return;
      }
      if (bucket !== opts.bucket) {
        res.writeHead(404, { 'content-type': 'application/xml' }).end(xmlError('NoSuchBucket', 'The specified bucket does not exist.'));
        return;
      }
      const found = objects.get(key);
      switch (req.method) {
        case 'PUT': {
          const body = await readBody(req);
          if (req.headers['if-none-match'] === '*' && found) {
            res.writeHead(412, { 'content-type': 'application/xml' }).end(xmlError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold'));
            return;
          }
          objects.set(key, { body, contentType: req.headers['content-type'], contentDisposition: req.headers['content-disposition'] as string | undefined });
          res.writeHead(200, { etag: `"${body.length}"` }).end();
          return;
        }
        case 'GET':
        case 'HEAD': {
          if (!found) {
            res.writeHead(404, { 'content-type': 'application/xml' }).end(req.method === 'HEAD' ? undefined : xmlError('NoSuchKey', 'The specified key does not exist.'));
            return;
          }
          res.writeHead(200, {
            'content-length': String(found.body.length), etag: `"${found.body.length}"`, 'last-modified': new Date().toUTCString(),
            ...(found.contentType ? { 'content-type': found.contentType } : {}),
            ...(found.contentDisposition ? { 'content-disposition': found.contentDisposition } : {}),
          });
          res.end(req.method === 'HEAD' ? undefined : found.body);
          return;
        }
        case 'DELETE':
          objects.delete(key);
          res.writeHead(204).end();
          return;
        default:
          res.writeHead(405).end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
