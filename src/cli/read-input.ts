import { DavgateError } from '../model/errors';

/** Reads a whole stream, refusing it as soon as it passes `maxBytes` (nothing more is buffered). */
export async function readLimited(stream: NodeJS.ReadableStream, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxBytes) throw new DavgateError('BODY_TOO_LARGE', `more than ${maxBytes} bytes on standard input`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size);
}
