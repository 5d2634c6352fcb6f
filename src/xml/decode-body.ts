import { TextDecoder } from 'node:util';
import { DavgateError } from '../model/errors';

/**
 * Turns a body into text: checks the size limit first, honours a byte-order mark or the
 * encoding named in the XML declaration, and refuses bytes that are not valid in that
 * encoding instead of replacing them (a replaced byte in an href or an ETag would be a
 * silent corruption).
 */
export function decodeBody(body: string | Uint8Array, maxBytes: number): string {
  if (typeof body === 'string') {
    if (body.length > maxBytes || (body.length * 3 > maxBytes && Buffer.byteLength(body) > maxBytes)) {
      throw new DavgateError('BODY_TOO_LARGE', `more than ${maxBytes} bytes`);
    }
    return body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  }
  if (body.byteLength > maxBytes) throw new DavgateError('BODY_TOO_LARGE', `${body.byteLength} bytes, limit ${maxBytes}`);
  const encoding = sniffEncoding(body);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    throw new DavgateError('UNSUPPORTED_ENCODING', encoding);
  }
  try {
    return decoder.decode(body);
  } catch {
    throw new DavgateError('INVALID_ENCODING', `${encoding} byte sequence invalid at byte ${firstInvalidUtf8(body)}`);
  }
}

/** XML 1.0 Appendix F: a BOM, else the declaration's encoding, else UTF-8. */
function sniffEncoding(bytes: Uint8Array): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 200)).toString('latin1');
  const declared = /^<\?xml[^>]*\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/.exec(head);
  return declared?.[1]?.toLowerCase() ?? 'utf-8';
}

/** The offset of the first byte that breaks UTF-8, for the error message; -1 if none. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] ?? 0;
    const extra = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (extra < 0) return i;
    for (let k = 1; k <= extra; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += extra + 1;
  }
  return -1;
}
