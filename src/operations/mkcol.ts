import { creationBody } from '../xml/request-bodies';
import type { UpstreamRequest } from '../upstream/types';
import { XML_CONTENT_TYPE, type PlanContext } from './context';
import { withLockHeader } from './if-header';
import type { MkcalendarOperation, MkcolOperation } from './operation';

/**
 * MKCOL (RFC 4918 §9.3), extended with properties to set (RFC 5689), and MKCALENDAR
 * (RFC 4791 §5.3.1) with the calendar's properties: the same request but for the method and
 * the body's root element, which is sent only when there is something to set.
 */
export function planCreation(op: MkcolOperation | MkcalendarOperation, ctx: PlanContext): UpstreamRequest {
  const headers = withLockHeader({}, op, ctx);
  const path = ctx.resolve(op.href);
  if (op.set === undefined || op.set.size === 0) return { method: op.method, path, headers };
  const kind = op.method === 'MKCOL' ? 'mkcol' : 'mkcalendar';
  return { method: op.method, path, headers: { ...headers, 'Content-Type': XML_CONTENT_TYPE }, body: creationBody(kind, op.set) };
}
