// Files: where uploads are stored (Storage, FileSystemStorage, S3Storage, the site's default storage), what a model's
// file field holds (FieldFile), image dimensions, and how uploads are served (safe headers).
export {
  FileSystemStorage, validFileName, cleanStorageName, defaultStorage, storageFromSettings,
  type Storage, type StorageFactory, type FileSystemStorageOptions,
} from './storage.js';
export { S3Storage, type S3StorageOptions } from './s3.js';
export { FieldFile, contentFile, isFileContent, type FileContent } from './file.js';
export { imageDimensions, type ImageDimensions } from './images.js';
export { mediaResponse, mediaHeaders, isActiveContentType } from './serve.js';
