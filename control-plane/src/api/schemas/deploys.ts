// Schemas of deploys and releases.
import { Type } from 'typebox';
import { Timestamp, Uuid } from './common.js';

export const DeployOut = Type.Object({
  id: Uuid,
  kind: Type.String(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('building'), Type.Literal('releasing'), Type.Literal('succeeded'), Type.Literal('failed')]),
  version: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  url: Type.String(),
  sha256: Type.Union([Type.String(), Type.Null()]),
  size: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Timestamp,
  finishedAt: Type.Union([Timestamp, Type.Null()]),
});

export const ReleaseOut = Type.Object({
  version: Type.Integer(),
  kind: Type.String(),
  status: Type.String(),
  description: Type.String(),
  current: Type.Boolean(),
  replicas: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  liveAt: Type.Union([Timestamp, Type.Null()]),
  envChanges: Type.Optional(Type.Object({
    added: Type.Array(Type.String()),
    removed: Type.Array(Type.String()),
    changed: Type.Array(Type.String()),
  }, { description: 'names of the env vars this release added, removed or changed against the release it replaced (the live one when it was made; never values); absent for releases made before these were recorded, or when that one predates env snapshots' })),
});

