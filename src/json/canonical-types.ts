/**
 * The canonical JSON multistatus (DESIGN.md, "Canonical JSON multistatus"): one entry per
 * href, in document order. Documented in the README; these types are its contract.
 */
export interface CanonicalMultiStatus {
  responses: CanonicalResponse[];
  syncToken?: string;
  description?: string;
}

/** One href's entry. `kind`, `code`, `retryable`, `etag` and the batch fields are derived and ignored on input. */
export interface CanonicalResponse {
  href: string;
  kind: 'Success' | 'Created' | 'Locked' | 'Error';
  /** The status that decided the kind; null when there was none or it was unreadable. */
  status: number | null;
  /** The status line as received, present only when it differs from `HTTP/1.1 <status> <reason>`. */
  statusLine?: string;
  code?: string;
  retryable?: boolean;
  etag?: string;
  /** A batch LOCK's token. */
  lockToken?: string;
  /** The start of an error body that is not DAV XML. */
  detail?: string;
  /** In a batch answer: the operation that produced this entry. */
  operationId?: string;
  operationIndex?: number;
  propstats?: CanonicalPropStat[];
  error?: CanonicalError;
  description?: string;
  location?: string;
}

export interface CanonicalPropStat {
  status: number | null;
  statusLine?: string;
  props: Record<string, JsonPropValue>;
  error?: CanonicalError;
  description?: string;
}

/**
 * A `DAV:error`: `condition` is the first condition's Clark name and `hrefs` the hrefs inside
 * it. When that does not say everything (several conditions, other content, attributes),
 * `conditions` carries them all as element nodes.
 */
export interface CanonicalError {
  condition?: string;
  hrefs?: string[];
  conditions?: JsonElement[];
}

/**
 * Property values: `null` for an empty element, a string for text-only content, an array of
 * nodes for element content; the object form `{ attrs, value }` only when the property
 * element itself has attributes.
 */
export type JsonContent = null | string | JsonNode[];
export type JsonNode = string | JsonElement;
export interface JsonElement {
  name: string;
  attrs?: Record<string, string>;
  value?: JsonContent;
}
export type JsonPropValue = JsonContent | { attrs: Record<string, string>; value: JsonContent };
