// Schemas of a site's env vars.
import { Type } from 'typebox';
import { DeployOut } from './deploys.js';

export const EnvOut = Type.Object({
  vars: Type.Record(Type.String(), Type.String()),
  deploy: Type.Optional(DeployOut),
});

