// Uploaded files: the multipart/form-data parser (the request body is already bounded by DATA_UPLOAD_MAX_MEMORY_SIZE)
// and the file object forms and storages work with. Client file names are reduced to a safe base name here.
import { BadRequest } from '../errors.js';

/** A file from a multipart form: its safe name, type, size and bytes. */
export interface UploadedFile {
  /** The client's file name reduced to a safe base name (no directories, no control characters). */
  readonly name: string;
  readonly contentType: string;
  readonly size: number;
  readonly data: Buffer;
}

export interface MultipartLimits {
  /** Most parts (fields + files) accepted; more is a 400 (Django's DATA_UPLOAD_MAX_NUMBER_FIELDS). */
  maxParts?: number;
  /** Most files accepted (Django's DATA_UPLOAD_MAX_NUMBER_FILES). */
  maxFiles?: number;
}

/** What a form is bound to: submitted fields and files (formInput(req) makes it). */
export interface FormInput {
  data: URLSearchParams;
  files: Map<string, UploadedFile[]>;
}

/** What a browser may send as a file name, made harmless: last path segment, no control characters, bounded length. */
export function safeBaseName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (cleaned === '.' || cleaned === '..') return '';
  return cleaned.slice(-200);
}

function boundaryOf(contentType: string): string {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  if (!b || b.length > 200) throw new BadRequest('A multipart body needs a boundary in its Content-Type header.');
  return b;
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return headers;
}

/** A Content-Disposition parameter, quoted or not; filename* (RFC 5987) wins over filename. */
function dispositionParam(disposition: string, name: string): string | undefined {
  const star = new RegExp(`(?:^|;)\\s*${name}\\*\\s*=\\s*([^']*)'[^']*'([^;]*)`, 'i').exec(disposition);
  if (star?.[2] !== undefined) {
    try { return decodeURIComponent(star[2]); } catch { /* fall through to the plain parameter */ }
  }
  const m = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, 'i').exec(disposition);
  if (!m) return undefined;
  // Only \" is unescaped: old browsers send Windows paths with literal backslashes (C:\Users\me\file.txt).
  return m[1] !== undefined ? m[1].replace(/\\"/g, '"') : (m[2] ?? '').trim();
}

/** Parses a multipart/form-data body (Request.form and Request.files do it for you); BadRequest when malformed or over the limits. */
export function parseMultipart(body: Buffer, contentType: string, limits: MultipartLimits = {}): FormInput {
  const maxParts = limits.maxParts ?? 1000;
  const maxFiles = limits.maxFiles ?? 100;
  const delimiter = Buffer.from(`--${boundaryOf(contentType)}`);
  const data = new URLSearchParams();
  const files = new Map<string, UploadedFile[]>();
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new BadRequest('The multipart body does not contain its boundary.');
  let parts = 0;
  let fileCount = 0;
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break; // closing delimiter
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') throw new BadRequest('The multipart body is malformed.');
    pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw new BadRequest('A multipart part has no end of headers.');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw new BadRequest('The multipart body ends before its closing boundary.');
    if (++parts > maxParts) throw new BadRequest(`The form has more than ${maxParts} fields.`);
    const headers = parseHeaders(body.subarray(pos, headerEnd).toString('utf8'));
    const content = body.subarray(headerEnd + 4, next);
    pos = next + 2;
    const disposition = headers.get('content-disposition') ?? '';
    const name = dispositionParam(disposition, 'name');
    if (name === undefined || !/^form-data/i.test(disposition)) continue;
    const filename = dispositionParam(disposition, 'filename');
    if (filename === undefined) {
      data.append(name, content.toString('utf8'));
      continue;
    }
    // An empty file input is sent as a part with an empty filename: no file was chosen.
    if (filename === '' && content.length === 0) continue;
    if (++fileCount > maxFiles) throw new BadRequest(`The form has more than ${maxFiles} files.`);
    const file: UploadedFile = {
      name: safeBaseName(filename),
      contentType: (headers.get('content-type') ?? 'application/octet-stream').slice(0, 200),
      size: content.length,
      data: Buffer.from(content),
    };
    const list = files.get(name) ?? [];
    list.push(file);
    files.set(name, list);
  }
  return { data, files };
}

/** The fields and files a request submitted, whichever form encoding it used (Request parses multipart with parseMultipart). */
export function formInput(req: { form: URLSearchParams; files: Map<string, UploadedFile[]> }): FormInput {
  return { data: req.form, files: req.files };
}
