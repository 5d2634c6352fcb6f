import type { UpstreamRequest } from '../upstream/types';
import type { PlanContext } from './context';
import { withLockHeader } from './if-header';
import type { CopyOperation, MoveOperation } from './operation';

/**
 * COPY and MOVE (RFC 4918 §9.8, §9.9). The Destination is resolved like the href and turned
 * into an absolute URL on the backend by the upstream client, never copied from the caller.
 * Overwrite is sent only when the caller chose (the RFC's default is T); Depth only for COPY
 * (a MOVE of a collection is always infinite).
 */
export function planCopy(op: CopyOperation, ctx: PlanContext): UpstreamRequest {
  const request = planTransfer(op, ctx);
  return op.depth === undefined ? request : { ...request, headers: { ...request.headers, Depth: op.depth } };
}

export function planMove(op: MoveOperation, ctx: PlanContext): UpstreamRequest {
  return planTransfer(op, ctx);
}

function planTransfer(op: CopyOperation | MoveOperation, ctx: PlanContext): UpstreamRequest {
  const headers = withLockHeader({}, op, ctx);
  if (op.overwrite !== undefined) headers['Overwrite'] = op.overwrite ? 'T' : 'F';
  return { method: op.method, path: ctx.resolve(op.href), destination: ctx.resolve(op.destination), headers };
}
