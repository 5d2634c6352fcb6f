import type { LockReference, PlanContext } from './context';

/**
 * RFC 4918 §10.4 `If` header submitting a lock token. A lock davgate took in this batch is
 * submitted in a tagged list naming the resource it was taken on (which may be an ancestor
 * of the request URI, or the destination of a COPY or MOVE); an explicit token in an untagged
 * list, which applies to the request URI.
 */
export function ifHeader(lock: LockReference, ctx: PlanContext): string {
  const token = `(<${lock.token}>)`;
  return lock.root === undefined ? token : `<${ctx.origin}${lock.root}> ${token}`;
}

/** The headers that carry an operation's lock token, if it has one. */
export function lockHeaders(lockToken: string | undefined, ctx: PlanContext): Record<string, string> {
  return lockToken === undefined ? {} : { If: ifHeader(ctx.lock(lockToken), ctx) };
}

/** A token as servers send it: with or without angle brackets (QUIRKS.md 24), stripped to the bare URI. */
export function bareLockToken(token: string): string {
  return token.trim().replace(/^<(.*)>$/, '$1').trim();
}
