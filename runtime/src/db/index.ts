// @paddock/runtime's data layer (the ORM). The contract the rest of the runtime and site code rely on:
//
//   model('blog.Post', { title: fields.char({ maxLength: 200 }),
//                        author: fields.foreignKey('auth.User', { onDelete: 'cascade', relatedName: 'posts' }) },
//         { ordering: ['-published'] })
//     -> a class with `objects` (a QuerySet), `_meta`, `DoesNotExist`; instances typed from the fields
//        (`post.title: string`, `post.author` the related instance once loaded, `post.authorId`).
//     Registered globally as 'blog.Post'; string references ('auth.User', 'self') resolve lazily.
//   configureDatabases({ default: { url: 'postgres://...' | 'pglite:memory' | 'pglite:<dir>' }, replica?: {...} }, { router? })
//   closeDatabases(), using(alias), primaryReplicaRouter({ replicas: ['replica'] })
//   atomic(fn) (nested = savepoints), onCommit(fn), Rollback
//   makeMigrations({ apps: [{ label, dir }], name? }), migrate({ apps, database?, app?, target? }),
//   showMigrations({ apps }), sqlMigrate({ apps, app, migration })
//   Q / and / or / not, F, Count / Sum / Avg / Min / Max, signals preSave / postSave / preDelete / postDelete.
// Semantics worth knowing: a QuerySet is a thenable, so `await qs` (or returning it from an async function) runs it;
// exclude() through a many-valued relation means "no related row matches" (as in Django); related objects that
// were not loaded with selectRelated/prefetchRelated throw a FieldError saying how to load them (no lazy I/O);
// on pg, SELECTs use named prepared statements (DatabaseConfig.prepare: false turns that off for PgBouncer).
// Kysely 0.28 builds and runs every statement (pg Pool, or PGlite through ./pglite-dialect.ts): values are always
// bound parameters, identifiers always quoted, and names in filters / orderBy / values are checked against the models.
import { execute, getDatabase, rawQuery, type Db } from './connections.js';
import { atomic, type AtomicOptions } from './transactions.js';

export {
  configureDatabases, closeDatabases, primaryReplicaRouter, chainRouters, captureQueries, onQuery, rawQuery, databaseAliases, snapshotDatabase,
  type DatabaseConfig, type DatabaseRouter, type RouterHints, type QueryEvent,
} from './connections.js';
export { atomic, onCommit, inTransaction, type AtomicOptions } from './transactions.js';
export {
  ObjectDoesNotExist, MultipleObjectsReturned, IntegrityError, FieldError, ValidationError, ProtectedError, DatabaseConfigError, DatabaseInUse,
  ModelDefinitionError, MigrationError, Rollback,
} from '../errors.js';
export {
  fields, Field, AutoField, CharField, SlugField, EmailField, URLField, TextField, IntegerField, BigIntegerField, FloatField,
  DecimalField, BooleanField, DateField, DateTimeField, TimeField, DurationField, UUIDField, JSONField, ForeignKey,
  OneToOneField, ManyToManyField, FileField, ImageField, type OnDelete, type JsonValue, type FieldOptions, type ModelRef,
  type FileFieldOptions, type ImageFieldOptions,
} from './fields.js';
export {
  model, registry, Registry, ModelBase, ModelMeta, adoptModelClasses, pluralise, type ModelClass, type Manager, type AnyModelClass, type AnyInstance, type ModelInstance,
  type Instance, type InstanceFields, type CreateInput, type MetaOptions, type IndexSpec, type ConstraintSpec, type FieldDefs,
  type SaveOptions,
} from './model.js';
export { QuerySet, RelatedManager, ManyRelatedManager, type Filter } from './queryset.js';
export { Q, F, FieldRef, q, f, and, or, not, Aggregate, Count, Sum, Avg, Min, Max, type Lookups } from './expressions.js';
export { preSave, postSave, preDelete, postDelete, m2mChanged, type SaveEvent, type DeleteEvent, type M2MChangedEvent, type M2MAction } from './signals.js';
export type { DeleteResult } from './deletion.js';
export { PGliteDialect } from './pglite-dialect.js';
export {
  makeMigrations, migrate, showMigrations, sqlMigrate, loadMigrations, pendingMigrations, type AppRef, type MigrationFile,
  type MakeMigrationsOptions, type MigrateOptions, type SqlMigrateOptions,
} from './migrations/commands.js';
export type { Operation, MigrationContext } from './migrations/state.js';

/** One database by alias: its Kysely instance (for hand-built queries), raw SQL, and transactions on it. */
export interface DatabaseHandle {
  readonly alias: string;
  readonly kysely: Db;
  rawQuery<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
  atomic<T>(fn: () => Promise<T>): Promise<T>;
}

export function using(alias: string): DatabaseHandle {
  const db = getDatabase(alias);
  return {
    alias,
    kysely: db.kysely,
    rawQuery: (text, params = []) => rawQuery(text, params, { using: alias }),
    atomic: (fn) => atomic(fn, { using: alias } satisfies AtomicOptions),
  };
}

export { execute as executeQuery };
