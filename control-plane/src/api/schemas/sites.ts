// Schemas of sites, shared by the owners' API and the admin API.
import { Type } from 'typebox';
import { Timestamp, Uuid } from './common.js';

export const SiteStatus = Type.Union([
  Type.Literal('provisioning'), Type.Literal('ready'), Type.Literal('suspended'),
  Type.Literal('failed'), Type.Literal('deleting'), Type.Literal('deleted'),
]);

export const SiteOut = Type.Object({
  id: Uuid,
  name: Type.String(),
  org: Type.String({ description: "the owning organisation's name" }),
  status: SiteStatus,
  statusReason: Type.Union([Type.String(), Type.Null()]),
  replicas: Type.Integer(),
  memoryMb: Type.Integer(),
  url: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  release: Type.Union([Type.Integer(), Type.Null()], { description: 'version of the live release; null before the first deploy' }),
  lastDeployAt: Type.Union([Timestamp, Type.Null()], { description: 'when the live release went live (a push, env change, rollback or scale)' }),
  runState: Type.Union([Type.Literal('serving'), Type.Literal('paused'), Type.Literal('stopped'), Type.Literal('none')], {
    description: 'serving: awake; paused or stopped: asleep, woken by the next request; none: nothing deployed',
  }),
});

export const SiteSizeBody = {
  replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  memoryMb: Type.Optional(Type.Integer({ minimum: 64, maximum: 1048576 })),
};
