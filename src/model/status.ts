import { STATUS_CODES } from 'node:http';

/**
 * An HTTP status as a server wrote it inside a multistatus (RFC 4918 §14.28). `line` is the
 * text exactly as received, so odd forms (`HTTP/1.0 207`, no reason phrase,
 * `HTTP/1.1 409 (status)`) survive a round trip; `code` is null when the line cannot be read,
 * which classifies the response as an Error instead of failing the whole document.
 */
export interface Status {
  readonly code: number | null;
  readonly line: string;
}

const STATUS_LINE = /^\s*HTTP\/\d+(?:\.\d+)?\s+(\d{3})(?:\s[^\r\n]*)?\s*$/i;

/** Reads a status line leniently; never throws. */
export function parseStatusLine(line: string): Status {
  const match = STATUS_LINE.exec(line);
  return { code: match ? Number(match[1]) : null, line };
}

/** Canonical lines, made once per code: every result of a batch carries one. */
const canonicalLines = new Map<number, string>();

/** The line davgate writes for a code: `HTTP/1.1 <code> <reason>`. */
export function canonicalStatusLine(code: number): string {
  let line = canonicalLines.get(code);
  if (line === undefined) {
    const reason = STATUS_CODES[code];
    line = reason === undefined ? `HTTP/1.1 ${code}` : `HTTP/1.1 ${code} ${reason}`;
    // Codes come from backends: keep the cache to the three-digit range a status line can have.
    if (Number.isInteger(code) && code >= 100 && code <= 999) canonicalLines.set(code, line);
  }
  return line;
}

/** A Status for a code, with davgate's canonical line. */
export function statusOf(code: number): Status {
  return { code, line: canonicalStatusLine(code) };
}

/** True for 2xx. */
export function isSuccessCode(code: number | null): code is number {
  return code !== null && code >= 200 && code < 300;
}
