import type { LockReference, PlanContext } from './context';

/**
 * RFC 4918 §10.4 `If` header submitting a lock token. A lock davgate took in this batch is
 * submitted in a tagged list naming the resource it was taken on (which may be an ancestor
 * of the request URI, or the destination of a COPY or MOVE), and so is an explicit token with
 * the `lockRoot` it was taken on; an explicit token alone goes in an untagged list, which
 * applies to the request URI.
 */
export function ifHeader(lock: LockReference, ctx: PlanContext): string {
  const token = `(<${lock.token}>)`;
  return lock.root === undefined ? token : `<${ctx.origin}${lock.root}> ${token}`;
}

/**
 * Adds the `If` header that carries an operation's lock token, if it has one, to a planner's
 * own headers and returns them. Set in place rather than spread in (`{ ...lockHeaders() }`):
 * a spread is a generic copy in V8, which every PUT and DELETE of a batch paid, nearly always
 * for an empty object.
 */
export function withLockHeader(headers: Record<string, string>, op: { readonly lockToken?: string; readonly lockRoot?: string }, ctx: PlanContext): Record<string, string> {
  if (op.lockToken !== undefined) headers['If'] = ifHeader(ctx.lock(op.lockToken, op.lockRoot), ctx);
  return headers;
}

/** A token as servers send it: with or without angle brackets (QUIRKS.md 24), stripped to the bare URI. */
export function bareLockToken(token: string): string {
  return token.trim().replace(/^<(.*)>$/, '$1').trim();
}
