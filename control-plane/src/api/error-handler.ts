// Turns every failure — our own PaddockErrors, schema validation, Fastify's parser and limit
// errors, unknown routes, crashes — into the one error shape `{ "error": { "code", "message" } }`.
import type { FastifyError, FastifyInstance } from 'fastify';
import { PaddockError, errors } from '../errors.js';

function fromFastify(err: FastifyError): PaddockError {
  if (err instanceof PaddockError) return err;
  if (err.validation) {
    const first = err.validation[0];
    const where = `${err.validationContext ?? 'request'}${first?.instancePath ?? ''}`;
    return errors.validation(`${where} ${first?.message ?? 'is invalid'}`);
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
    if (out.statusCode >= 500) request.log.error({ err }, 'request failed');
    else request.log.debug({ code: out.code }, out.message);
    void reply.status(out.statusCode).send({ error: { code: out.code, message: out.message } });
  });
  app.setNotFoundHandler((request, reply) => {
    const out = errors.notFound(request.method, request.url.split('?')[0] ?? '/');
    void reply.status(404).send({ error: { code: out.code, message: out.message } });
  });
}
