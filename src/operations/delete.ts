import type { UpstreamRequest } from '../upstream/types';
import type { PlanContext } from './context';
import { withLockHeader } from './if-header';
import type { DeleteOperation } from './operation';

/** DELETE (RFC 4918 §9.6): no Depth header, a collection is always deleted with all its members. */
export function planDelete(op: DeleteOperation, ctx: PlanContext): UpstreamRequest {
  const headers = withLockHeader({}, op, ctx);
  if (op.ifMatch !== undefined) headers['If-Match'] = op.ifMatch;
  return { method: 'DELETE', path: ctx.resolve(op.href), headers };
}
