import type { UpstreamRequest } from '../upstream/types';
import type { PlanContext } from './context';
import type { UnlockOperation } from './operation';

/** UNLOCK (RFC 4918 §9.11): the token goes in Lock-Token, with its angle brackets. */
export function planUnlock(op: UnlockOperation, ctx: PlanContext): UpstreamRequest {
  return { method: 'UNLOCK', path: ctx.resolve(op.href), headers: { 'Lock-Token': `<${ctx.lock(op.lockToken).token}>` } };
}
