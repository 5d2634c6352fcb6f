import { DavgateError } from '../model/errors';
import { propertyUpdateBody } from '../xml/request-bodies';
import type { UpstreamRequest } from '../upstream/types';
import { XML_CONTENT_TYPE, type PlanContext } from './context';
import { withLockHeader } from './if-header';
import type { ProppatchOperation } from './operation';

/** PROPPATCH (RFC 4918 §9.2): the sets, then the removes, all or nothing on the server. */
export function planProppatch(op: ProppatchOperation, ctx: PlanContext): UpstreamRequest {
  const set = op.set ?? new Map();
  const remove = op.remove ?? [];
  if (set.size === 0 && remove.length === 0) {
    throw new DavgateError('OPERATION_INVALID', `operation "${op.id}" (#${op.index}): PROPPATCH needs "set" or "remove"`, { path: `operations[${op.index}]` });
  }
  return {
    method: 'PROPPATCH',
    path: ctx.resolve(op.href),
    headers: withLockHeader({ 'Content-Type': XML_CONTENT_TYPE }, op, ctx),
    body: propertyUpdateBody(set, remove),
  };
}
