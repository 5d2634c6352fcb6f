/**
 * Limits on untrusted multistatus bodies. A parsed tree costs several times the bytes of its
 * document (HARDENING.md: 7–10× in fast-xml-parser), so the size limit is the memory limit.
 */
export interface ParseLimits {
  /** Largest body accepted, in bytes (default 64 MiB). */
  readonly maxBytes: number;
  /** Deepest element nesting accepted (default 64; a multistatus needs about 10). */
  readonly maxDepth: number;
}

/** The defaults, documented in the README. */
export const DEFAULT_LIMITS: ParseLimits = { maxBytes: 64 * 1024 * 1024, maxDepth: 64 };
