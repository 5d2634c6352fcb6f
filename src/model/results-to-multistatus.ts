import { ERROR_CODES } from './errors';
import type { DavResponse, MultiStatus } from './multistatus';
import type { Result } from './result';
import { canonicalStatusLine } from './status';

/**
 * Results as an RFC 4918 multistatus, for callers who want XML (DESIGN.md, "the reverse
 * mapping"). A result with propstats keeps them; any other is an href with its status. A
 * result that never got an HTTP status (a transport failure, an operation not sent) gets the
 * status a gateway answers for it (502, 504, 424) and its description.
 */
export function resultsToMultiStatus(results: readonly Result[]): MultiStatus {
  return { responses: results.map(toResponse) };
}

function toResponse(result: Result): DavResponse {
  const common = {
    ...(result.error === undefined ? {} : { error: result.error }),
    ...(result.description === undefined ? {} : { description: result.description }),
    ...(result.location === undefined ? {} : { location: result.location }),
  };
  if (result.propstats !== undefined && result.propstats.length > 0) return { kind: 'propstat', href: result.href, propstats: result.propstats, ...common };
  const code = result.status ?? gatewayStatus(result);
  const line = result.status !== null && result.statusLine !== '' ? result.statusLine : canonicalStatusLine(code);
  return { kind: 'status', hrefs: [result.href], status: { code, line }, ...common };
}

function gatewayStatus(result: Result): number {
  if (result.kind !== 'Error') return 500;
  if (result.code === 'DEPENDENCY_FAILED' || result.code === 'NOT_SENT') return 424;
  return Object.hasOwn(ERROR_CODES, result.code) ? ERROR_CODES[result.code as keyof typeof ERROR_CODES].status : 502;
}
