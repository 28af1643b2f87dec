// Schemas of one-off runs.
import { Type } from 'typebox';

export const RunBody = Type.Object({
  command: Type.Array(Type.String({ maxLength: 4096 }), {
    minItems: 1, maxItems: 64,
    description: 'a paddock-runtime command and its arguments, e.g. ["migrate"] or ["check", "--deploy"]; the site directory is given to it (--site-dir)',
  }),
  timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, description: 'a shorter time limit than the platform\'s (PADDOCK_RUN_TIMEOUT_S)' })),
  env: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$' }), Type.String({ maxLength: 4096 }), {
    maxProperties: 16,
    description: 'extra env vars for this run only, e.g. PADDOCK_SUPERUSER_PASSWORD for createsuperuser (no stdin here); the platform\'s own (DATABASE_URL, ...) cannot be replaced; not recorded',
  })),
}, { additionalProperties: false });

export const RunResult = Type.Object({
  exitCode: Type.Integer({ description: '124 when the time limit killed it' }),
  timedOut: Type.Boolean(),
  stdout: Type.String(),
  stderr: Type.String(),
  truncated: Type.Boolean({ description: 'true when the oldest output was cut to keep the answer small' }),
});

