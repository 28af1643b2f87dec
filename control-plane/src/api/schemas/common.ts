// Schemas shared by every API plugin: the one error shape, names, ids, pagination.
import { Type } from 'typebox';

export const ErrorBody = Type.Object(
  { error: Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String({ description: 'For PDK_VALIDATION: the body field it is about' })) }) },
  { $id: 'Error', description: 'Every error answer: a stable code and a message that says what to do next.' },
);

/** Responses every authenticated route may give, for the OpenAPI document. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  429: ErrorBody,
  /** PDK_PLATFORM_UNAVAILABLE: the platform database or Redis is away for a moment; try again (Retry-After). */
  503: ErrorBody,
};

/** A DNS label: lowercase letters, digits and inner hyphens, 1–63 characters. */
export const DNS_LABEL_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$';
export const DnsLabel = Type.String({ pattern: DNS_LABEL_PATTERN, minLength: 1, maxLength: 63 });
export const Uuid = Type.String({ format: 'uuid' });
export const Email = Type.String({ format: 'email', maxLength: 254 });
export const Password = Type.String({ minLength: 10, maxLength: 256, description: 'at least 10 characters' });
export const Timestamp = Type.String({ format: 'date-time' });

export const Pagination = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: 100000, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
});

export const PageInfo = Type.Object({ page: Type.Integer(), limit: Type.Integer(), total: Type.Integer() });
