import type { UpstreamRequest } from '../upstream/types';
import type { PlanContext } from './context';
import { planCopy, planMove } from './copy-move';
import { planDelete } from './delete';
import { planLock } from './lock';
import { planCreation } from './mkcol';
import type { Operation } from './operation';
import { planProppatch } from './proppatch';
import { planPut } from './put';
import { planUnlock } from './unlock';

/** The upstream request for an operation: one planner per method. */
export function plan(op: Operation, ctx: PlanContext): UpstreamRequest {
  switch (op.method) {
    case 'PUT': return planPut(op, ctx);
    case 'DELETE': return planDelete(op, ctx);
    case 'MKCOL':
    case 'MKCALENDAR': return planCreation(op, ctx);
    case 'PROPPATCH': return planProppatch(op, ctx);
    case 'COPY': return planCopy(op, ctx);
    case 'MOVE': return planMove(op, ctx);
    case 'LOCK': return planLock(op, ctx);
    case 'UNLOCK': return planUnlock(op, ctx);
  }
}
