import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { faceOf } from '../metrics/metrics';
import { DavgateError, type ErrorCode } from '../model/errors';

/** The body of every whole-request failure: `{ "error": { "code", "message", "path"? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; path?: string };
}

/** fastify's own errors, mapped onto davgate's codes (one table of codes, DESIGN.md). */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'JSON_MALFORMED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'JSON_MALFORMED',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BATCH_INVALID',
};

/** Renders any error as a typed JSON error; nothing else (no stack, no backend URL) reaches the client. */
export function errorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const typed = toDavgateError(error);
  if (typed === undefined) {
    request.log.error({ err: error }, 'unexpected error');
    void reply.status(500).send({ error: { code: 'INTERNAL', message: 'internal error' } } satisfies ErrorBody);
    return;
  }
  request.server.metrics.rejected.inc({ face: faceOf(request.url), code: typed.code });
  const body: ErrorBody = { error: { code: typed.code, message: typed.message } };
  if (typed.position?.path !== undefined) body.error.path = typed.position.path;
  if (typed.retryAfterSeconds !== undefined) void reply.header('retry-after', String(typed.retryAfterSeconds));
  void reply.status(typed.httpStatus).send(body);
}

function toDavgateError(error: FastifyError | Error): DavgateError | undefined {
  if (error instanceof DavgateError) return error;
  const code = (error as FastifyError).code;
  const mapped = code === undefined ? undefined : FASTIFY_CODES[code];
  if (mapped !== undefined) return new DavgateError(mapped, error.message);
  return undefined;
}
