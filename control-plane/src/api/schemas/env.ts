// Schemas of a site's env vars.
import { Type } from 'typebox';
import { DeployOut } from './deploys.js';

export const EnvOut = Type.Object({
  vars: Type.Record(Type.String(), Type.String()),
  deploy: Type.Optional(DeployOut),
});


/** The answer of a change. */
export const EnvChangeOut = Type.Object({
  vars: Type.Record(Type.String(), Type.String()),
  changed: Type.Boolean({ description: 'false when every var already had the asked value (or was not set, for a removal): nothing was saved and no release was made' }),
  deploy: Type.Optional(DeployOut),
});
