// Writes a compiled expression's parameters into its text as SQL literals, for DDL (check constraints, column defaults).
import type { RawBuilder } from 'kysely';
import { Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, DummyDriver } from 'kysely';
import { MigrationError } from '../../errors.js';

const compilerHost = new Kysely<Record<string, never>>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/** A value as a Postgres literal: numbers and booleans as written, text single-quoted with quotes doubled. */
export function literal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new MigrationError(`Cannot write ${v} as a SQL literal.`);
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return literal(v.toISOString());
  if (typeof v === 'string') {
    if (v.includes('\0')) throw new MigrationError('Text literals cannot contain NUL characters.');
    return `'${v.replace(/'/g, "''")}'`;
  }
  return literal(JSON.stringify(v));
}

export function inlineLiterals(expr: RawBuilder<unknown>): string {
  const compiled = expr.compile(compilerHost);
  return compiled.sql.replace(/\$(\d+)/g, (_, n: string) => literal(compiled.parameters[Number(n) - 1]));
}

export { compilerHost };
