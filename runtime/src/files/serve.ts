// Serving uploaded files (MEDIA_URL) from a FileSystemStorage. Uploads come from visitors, so they are served as
// data, never as part of the site: nosniff, a Content-Security-Policy that sandboxes anything a browser might render,
// and Content-Disposition: attachment for the types a browser would run (HTML, SVG, XML), so an uploaded page cannot
// run script on the site's origin.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Response } from '../http/response.js';
import { contentTypeFor } from '../static/mime.js';
import { FileSystemStorage, type Storage } from './storage.js';

const ACTIVE = /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|text\/javascript|application\/javascript|application\/x-shockwave-flash)\b/i;

/** Types a browser renders or runs with the page's privileges when shown inline. */
export function isActiveContentType(type: string): boolean {
  return ACTIVE.test(type);
}

/** The headers every media response carries (also for storages served elsewhere, when a site proxies them). */
export function mediaHeaders(name: string, type: string): Record<string, string> {
  const base = name.split('/').pop() ?? 'file';
  const ascii = base.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return {
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox",
    'cross-origin-resource-policy': 'same-origin',
    'content-disposition': `${isActiveContentType(type) ? 'attachment' : 'inline'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base)}`,
  };
}

/** The response for `MEDIA_URL + rel`, or null when the storage is not local or holds no such file. */
export async function mediaResponse(storage: Storage, rel: string, opts: { head?: boolean } = {}): Promise<Response | null> {
  if (!(storage instanceof FileSystemStorage)) return null;
  let name: string;
  try {
    name = decodeURIComponent(rel);
  } catch {
    return null;
  }
  let full: string;
  try {
    full = storage.path(name);
  } catch {
    return null; // '..', absolute names: as if absent
  }
  const st = await stat(full).catch(() => null);
  if (!st?.isFile()) return null;
  const type = contentTypeFor(full);
  return new Response(opts.head ? '' : createReadStream(full), {
    contentType: type,
    headers: { ...mediaHeaders(name, type), 'content-length': String(st.size), 'cache-control': 'public, max-age=3600' },
  });
}
