import { lockInfoBody } from '../xml/request-bodies';
import type { UpstreamRequest } from '../upstream/types';
import { XML_CONTENT_TYPE, type PlanContext } from './context';
import { ifHeader } from './if-header';
import type { LockOperation } from './operation';

/**
 * LOCK (RFC 4918 §9.10): a new write lock with a lockinfo body, or, with `lockToken`, a
 * refresh of that lock (no body, the token in an If header, §9.10.2). Depth defaults to 0:
 * the RFC's default (infinity) is rarely what a batch means.
 */
export function planLock(op: LockOperation, ctx: PlanContext): UpstreamRequest {
  const path = ctx.resolve(op.href);
  const headers: Record<string, string> = {};
  if (op.timeoutSeconds !== undefined) headers['Timeout'] = `Second-${op.timeoutSeconds}`;
  if (op.lockToken !== undefined) return { method: 'LOCK', path, headers: { ...headers, If: ifHeader(ctx.lock(op.lockToken, op.lockRoot), ctx) } };
  headers['Depth'] = op.depth ?? '0';
  headers['Content-Type'] = XML_CONTENT_TYPE;
  return { method: 'LOCK', path, headers, body: lockInfoBody(op.scope ?? 'exclusive', op.owner) };
}
