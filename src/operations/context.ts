/** What a planner needs beyond the operation itself. */
export interface PlanContext {
  /** The backend origin, for absolute URLs in `If` headers (`http://host:port`). */
  readonly origin: string;
  /** An href or destination as a normalised path under the backend root; throws HREF_* errors. */
  resolve(href: string): string;
  /**
   * A lock token as given (`opaquelocktoken:…`, with the resource it was taken on when the
   * operation names one in `lockRoot`) or `$id` of an earlier LOCK, with the lock's root when known.
   */
  lock(token: string, root?: string): LockReference;
}

/** A lock token to submit, and the resource the lock was taken on, when davgate took it. */
export interface LockReference {
  readonly token: string;
  readonly root?: string;
}

/** XML request bodies go with this type. */
export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';
