// The forms battery (@paddock/runtime/forms): fields, widgets, forms with validation and rendering, file uploads and
// where they are stored. ValidationError is the runtime's one (also exported from @paddock/runtime).
export { ValidationError, NON_FIELD_ERRORS, type ValidationIssue, type ValidationInput } from '../errors.js';
export { Form, BoundField, defineForm, type FieldMap, type CleanedData, type FormInit, type FormHooks,
  type FormClass, type RenderFormOptions } from './form.js';
export { fields, Field, CharField, EmailField, URLField, SlugField, IntegerField, FloatField, BooleanField, ChoiceField,
  MultipleChoiceField, DateField, DateTimeField, FileField, ImageField, isEmpty, type FieldOptions, type CharOptions, type NumberOptions,
  type ChoiceOptions, type FileOptions, type Validator } from './fields.js';
export { widgets, Input, PasswordInput, DateInput, DateTimeInput, FileInput, Textarea, CheckboxInput, Select, ChoiceGroup,
  type Widget, type RawValue, type Choice } from './widgets.js';
export { escapeHtml, markSafe, isSafe, attrs, type SafeHtml, type Attrs } from './html.js';
export { parseMultipart, formInput, safeBaseName, type UploadedFile, type FormInput, type MultipartLimits } from './uploads.js';
export { FileSystemStorage, S3Storage, validFileName, defaultStorage, contentFile, FieldFile, imageDimensions,
  type Storage, type FileContent, type S3StorageOptions, type FileSystemStorageOptions } from '../files/index.js';
export { modelForm, ModelForm, objectLabel, instanceInitial, type ModelFormOptions } from './model-form.js';
