// Turns every failure — our own PaddockErrors, schema validation, Fastify's parser and limit
// errors, a platform service that is away, unknown routes, crashes — into the one error shape
// `{ "error": { "code", "message" } }`.
import type { FastifyError, FastifyInstance } from 'fastify';
import { PaddockError, errors } from '../errors.js';
import { isOutage } from '../store/outage.js';
import { DNS_LABEL_PATTERN } from './schemas/common.js';

/** Seconds a client is asked to wait before trying again while a platform service is away. */
const OUTAGE_RETRY_AFTER_S = 5;

type SchemaError = NonNullable<FastifyError['validation']>[number];

const typeWords: Record<string, string> = { integer: 'a whole number', number: 'a number', string: 'text', boolean: 'true or false', object: 'an object', array: 'a list', null: 'null' };

/**
 * A schema error in words, and the field it is about: "replicas must be at least 1", not ajv's
 * "body/replicas must be >= 1". The API's messages reach people through the CLI and the dashboard.
 */
function inWords(context: string, e: SchemaError | undefined): { text: string; field?: string } {
  const p = (e?.params ?? {}) as Record<string, unknown>;
  const path = (e?.instancePath ?? '').split('/').filter(Boolean);
  if (e?.keyword === 'required' && typeof p.missingProperty === 'string') path.push(p.missingProperty);
  const field = path.join('.') || undefined;
  const where = context === 'querystring' ? 'the query parameter ' : context === 'params' ? 'the path parameter ' : context === 'headers' ? 'the header ' : '';
  const subject = field ? `${where}${field}` : context === 'body' ? 'the body' : `the ${context}`;
  const type = typeof p.type === 'string' ? p.type.split(',').map((t) => typeWords[t] ?? t).join(' or ') : 'of another type';
  const text = (() => {
    switch (e?.keyword) {
      case 'required': return `${subject} is missing`;
      case 'minimum': return `${subject} must be at least ${String(p.limit)}`;
      case 'maximum': return `${subject} must be at most ${String(p.limit)}`;
      case 'exclusiveMinimum': return `${subject} must be more than ${String(p.limit)}`;
      case 'exclusiveMaximum': return `${subject} must be less than ${String(p.limit)}`;
      case 'minLength': return `${subject} must be at least ${String(p.limit)} characters long`;
      case 'maxLength': return `${subject} must be at most ${String(p.limit)} characters long`;
      case 'minItems': return `${subject} needs at least ${String(p.limit)} items`;
      case 'maxItems': return `${subject} may have at most ${String(p.limit)} items`;
      case 'maxProperties': return `${subject} may have at most ${String(p.limit)} entries`;
      case 'type': return `${subject} must be ${type}`;
      case 'enum': return `${subject} must be one of ${Array.isArray(p.allowedValues) ? p.allowedValues.join(', ') : 'the listed values'}`;
      case 'format': return `${subject} is not ${p.format === 'email' ? 'an email address' : p.format === 'uuid' ? 'an id (a UUID)' : `a valid ${String(p.format)}`}`;
      case 'pattern': return p.pattern === DNS_LABEL_PATTERN ? `${subject} must be lowercase letters, digits and inner hyphens, at most 63` : `${subject} is not in the form it takes (${String(p.pattern)})`;
      case 'additionalProperties': return `${subject} has a field it does not take: "${String(p.additionalProperty)}"`;
      default: return `${subject} ${e?.message ?? 'is invalid'}`;
    }
  })();
  return { text, ...(field ? { field } : {}) };
}

function fromFastify(err: FastifyError): PaddockError {
  if (err instanceof PaddockError) return err;
  if (err.validation) {
    const { text, field } = inWords(err.validationContext ?? 'request', err.validation[0]);
    const out = errors.validation(text);
    return field && err.validationContext === 'body' ? new PaddockError(out.code, out.statusCode, out.message, { field }) : out;
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.payloadTooLarge();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return err.statusCode === 415 ? errors.unsupportedMediaType(String(err.message.split("'")[1] ?? 'this')) : errors.validation(err.message);
    default:
      break;
  }
  // The platform database or Redis restarting is not a bug of this route: the client may retry.
  if (isOutage(err)) return errors.platformUnavailable();
  if (err.statusCode === 429) return errors.rateLimited(err.message.replace(/^.*retry in /i, '') || 'a minute');
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    // Body parsing (bad JSON, empty body with a JSON content type) and other client mistakes.
    const out = errors.badRequest(err.message.replace(/\.$/, ''));
    return err.statusCode === 400 ? out : new PaddockError(out.code, err.statusCode, out.message);
  }
  return errors.internal();
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const out = fromFastify(err);
    if (out.code === errors.platformUnavailable.code) {
      request.log.warn({ err: (err as Error).message }, 'request refused: a platform service is unavailable');
      void reply.header('retry-after', String(OUTAGE_RETRY_AFTER_S));
    } else if (out.statusCode >= 500) request.log.error({ err }, 'request failed');
    else request.log.debug({ code: out.code }, out.message);
    const field = typeof out.details?.field === 'string' ? out.details.field : undefined;
    void reply.status(out.statusCode).send({ error: { code: out.code, message: out.message, ...(field ? { field } : {}) } });
  });
  app.setNotFoundHandler((request, reply) => {
    const out = errors.notFound(request.method, request.url.split('?')[0] ?? '/');
    void reply.status(404).send({ error: { code: out.code, message: out.message } });
  });
}
