// What a model's file field holds: a FieldFile (a stored file: its name in the storage, its URL, its size and bytes),
// or, between assignment and save(), the upload waiting to be stored.
import type { Storage } from './storage.js';

/** Bytes to store under a name: an upload from a form (UploadedFile), or contentFile('report.csv', data). */
export interface FileContent {
  readonly name: string;
  readonly data: Buffer | Uint8Array;
  readonly contentType?: string;
}

/** Django's ContentFile: content made in code, to assign to a file field. */
export function contentFile(name: string, data: Buffer | Uint8Array | string): FileContent {
  return { name, data: typeof data === 'string' ? Buffer.from(data) : data };
}

export function isFileContent(v: unknown): v is FileContent {
  return typeof v === 'object' && v !== null && !(v instanceof FieldFile)
    && typeof (v as FileContent).name === 'string' && ((v as FileContent).data instanceof Uint8Array);
}

/** A stored file: `{{ post.image.url }}`, `await post.image.open()`. Its string form is its name. */
export class FieldFile {
  readonly name: string;
  readonly #storage: () => Storage;

  constructor(name: string, storage: () => Storage) {
    this.name = name;
    this.#storage = storage;
  }

  get storage(): Storage { return this.#storage(); }
  /** Where a browser fetches it (MEDIA_URL + name for the file system storage). */
  get url(): string { return this.storage.url(this.name); }
  size(): Promise<number> { return this.storage.size(this.name); }
  open(): Promise<Buffer> { return this.storage.open(this.name); }
  exists(): Promise<boolean> { return this.storage.exists(this.name); }
  /** Deletes the stored file (the field keeps its name until it is set to null and saved). */
  delete(): Promise<void> { return this.storage.delete(this.name); }
  toString(): string { return this.name; }
  toJSON(): string { return this.name; }
}
