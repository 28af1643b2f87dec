// Every error the ORM raises, with a stable code, an HTTP status and a message that says what to do next.
import { PaddockError } from '../errors.js';

/** A model's `get()` found no row; `Model.DoesNotExist` is a subclass named for the model (views turn it into 404). */
export class ObjectDoesNotExist extends PaddockError {
  constructor(message: string) {
    super('PDK_OBJECT_DOES_NOT_EXIST', 404, message);
    this.name = 'ObjectDoesNotExist';
  }
}

export class MultipleObjectsReturned extends PaddockError {
  constructor(message: string) {
    super('PDK_MULTIPLE_OBJECTS_RETURNED', 500, message);
    this.name = 'MultipleObjectsReturned';
  }
}

/**
 * The database refused a write that breaks a constraint (unique, foreign key, not null, check): SQLSTATE class 23.
 * `sqlState` is Postgres' code (23505 unique, 23503 foreign key, 23502 not null, 23514 check); `constraint` its name.
 */
export class IntegrityError extends PaddockError {
  readonly sqlState: string;
  readonly constraint: string | undefined;
  constructor(message: string, sqlState: string, constraint: string | undefined, cause: unknown) {
    super('PDK_INTEGRITY_ERROR', 409, message);
    this.name = 'IntegrityError';
    this.sqlState = sqlState;
    this.constraint = constraint;
    this.cause = cause;
  }
}

/** A field, lookup, ordering or relation name that the model does not have (hostile names end here, never in SQL). */
export class FieldError extends PaddockError {
  constructor(message: string) {
    super('PDK_ORM_FIELD_ERROR', 500, message);
    this.name = 'FieldError';
  }
}

/** Field values that do not fit their fields; `errors` maps field name to messages. */
export class ValidationError extends PaddockError {
  readonly errors: Record<string, string[]>;
  constructor(errors: Record<string, string[]>) {
    const text = Object.entries(errors).map(([f, m]) => `${f}: ${m.join(' ')}`).join('; ');
    super('PDK_VALIDATION_ERROR', 400, `Invalid values: ${text}`);
    this.name = 'ValidationError';
    this.errors = errors;
  }
}

/** Deleting an object that protected (onDelete: 'protect' or 'restrict') objects still point to. */
export class ProtectedError extends PaddockError {
  readonly protectedObjects: readonly unknown[];
  constructor(message: string, objects: readonly unknown[]) {
    super('PDK_ORM_PROTECTED', 409, message);
    this.name = 'ProtectedError';
    this.protectedObjects = objects;
  }
}

/** Database configuration or usage mistakes: unknown alias, not configured, closed. */
export class DatabaseConfigError extends PaddockError {
  constructor(message: string) {
    super('PDK_DATABASE_CONFIG', 500, message);
    this.name = 'DatabaseConfigError';
  }
}

/** A model definition that cannot work (bad name, unresolvable relation, duplicate registration). */
export class ModelDefinitionError extends PaddockError {
  constructor(message: string) {
    super('PDK_MODEL_DEFINITION', 500, message);
    this.name = 'ModelDefinitionError';
  }
}

export class MigrationError extends PaddockError {
  constructor(message: string) {
    super('PDK_MIGRATION', 500, message);
    this.name = 'MigrationError';
  }
}

/** Raised in an atomic() block to roll it back on purpose; atomic() swallows it. */
export class Rollback extends Error {
  constructor() {
    super('Rolled back on purpose.');
    this.name = 'Rollback';
  }
}
