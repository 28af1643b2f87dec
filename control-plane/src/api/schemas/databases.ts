// Schemas of a site's database and cache connection details.
import { Type } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const DatabaseOut = Type.Object({
  database: Type.Object({
    host: Type.String(), port: Type.Integer(), name: Type.String(), user: Type.String(),
    url: Type.String({ description: 'postgres:// URL; the password is **** unless ?reveal=true' }),
    sizeBytes: Type.Integer(),
    quotaBytes: Nullable(Type.Integer()),
    connectionLimit: Nullable(Type.Integer()),
  }),
  cache: Nullable(Type.Object({
    host: Type.String(), port: Type.Integer(), user: Type.String(),
    prefix: Type.String({ description: 'every key and channel of the site starts with it' }),
    url: Type.String({ description: 'redis:// URL; the password is **** unless ?reveal=true' }),
    usedKeys: Nullable(Type.Integer()),
  })),
});

