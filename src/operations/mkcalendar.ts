import { creationBody } from '../xml/request-bodies';
import type { UpstreamRequest } from '../upstream/types';
import { XML_CONTENT_TYPE, type PlanContext } from './context';
import { lockHeaders } from './if-header';
import type { MkcalendarOperation } from './operation';

/** MKCALENDAR (RFC 4791 §5.3.1), with the calendar's properties when `set` is given. */
export function planMkcalendar(op: MkcalendarOperation, ctx: PlanContext): UpstreamRequest {
  const headers = lockHeaders(op.lockToken, ctx);
  const path = ctx.resolve(op.href);
  if (op.set === undefined || op.set.size === 0) return { method: 'MKCALENDAR', path, headers };
  return { method: 'MKCALENDAR', path, headers: { ...headers, 'Content-Type': XML_CONTENT_TYPE }, body: creationBody('mkcalendar', op.set) };
}
