import type { UpstreamRequest } from '../upstream/types';
import type { PlanContext } from './context';
import { withLockHeader } from './if-header';
import type { PutOperation } from './operation';

/** PUT (RFC 9110 §9.3.4) with its preconditions: If-Match for an update, If-None-Match: * for a create. */
export function planPut(op: PutOperation, ctx: PlanContext): UpstreamRequest {
  const headers = withLockHeader({ 'Content-Type': op.contentType ?? 'application/octet-stream' }, op, ctx);
  if (op.ifMatch !== undefined) headers['If-Match'] = op.ifMatch;
  if (op.ifNoneMatch !== undefined) headers['If-None-Match'] = op.ifNoneMatch;
  return { method: 'PUT', path: ctx.resolve(op.href), headers, body: op.body };
}
