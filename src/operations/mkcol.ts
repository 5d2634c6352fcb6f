import { creationBody } from '../xml/request-bodies';
import type { UpstreamRequest } from '../upstream/types';
import { XML_CONTENT_TYPE, type PlanContext } from './context';
import { lockHeaders } from './if-header';
import type { MkcolOperation } from './operation';

/** MKCOL (RFC 4918 §9.3), extended with properties to set (RFC 5689) when `set` is given. */
export function planMkcol(op: MkcolOperation, ctx: PlanContext): UpstreamRequest {
  const headers = lockHeaders(op.lockToken, ctx);
  const path = ctx.resolve(op.href);
  if (op.set === undefined || op.set.size === 0) return { method: 'MKCOL', path, headers };
  return { method: 'MKCOL', path, headers: { ...headers, 'Content-Type': XML_CONTENT_TYPE }, body: creationBody('mkcol', op.set) };
}
