import fc from 'fast-check';
import { interpret } from '../../src/batch/interpret';
import { parseOperation } from '../../src/operations/operation';
import type { UpstreamResponse } from '../../src/upstream/types';

/**
 * Whether an answer's body is read as XML. interpret decides most bodies by their first byte
 * (Apache's HTML page for a 201 is never decoded); these hold it to the definition it had
 * before: the Content-Type names XML, or the first 64 bytes, decoded and trimmed, start with
 * `<?xml`, or with `<` when there is no Content-Type.
 */
function looksLikeXmlByDefinition(type: string, body: Buffer): boolean {
  if (/[/+]xml\b/i.test(type)) return true;
  const start = body.subarray(0, 64).toString('utf8').trimStart();
  return start.startsWith('<?xml') || (type === '' && start.startsWith('<'));
}

const op = parseOperation({ method: 'PUT', href: '/dav/a', body: 'x' }, 0);
const answer = (type: string, body: Buffer): UpstreamResponse => ({ status: 403, headers: type === '' ? {} : { 'content-type': type }, body });
/** A 403 keeps a body it did not read as XML as `detail`; one it read as XML (and could parse) it does not. */
const readAsXml = (type: string, body: Buffer) => {
  const [result] = interpret(op, '/dav/a', answer(type, body));
  return result?.kind === 'Error' && result.detail === undefined;
};

describe('interpret: which bodies are read as XML', () => {
  const prefix = fc.constantFrom('', ' ', '\t', '\r\n', '\v\f', '\u00a0', '\ufeff', '\u2028', 'x', '<!DOCTYPE html>', '<?xml version="1.0"?>', '<', '\u00e9');
  const type = fc.constantFrom('', 'text/html; charset=ISO-8859-1', 'text/plain', 'application/xml', 'text/xml; charset=utf-8', 'application/davmount+xml');

  it('agrees with the definition on bodies that parse as XML after their prefix', () => {
    fc.assert(fc.property(fc.array(prefix, { maxLength: 3 }), type, (parts, t) => {
      const text = `${parts.join('')}<D:error xmlns:D="DAV:"><D:need-privileges/></D:error>`;
      const body = Buffer.from(text, 'utf8');
      const expected = looksLikeXmlByDefinition(t, body);
      // Read as XML, the body may still fail to parse (a prefix that is not XML): then it is kept as detail too.
      if (!expected) expect(readAsXml(t, body)).toBe(false);
      else expect(readAsXml(t, body)).toBe(readAsXml('application/xml', body));
    }), { numRuns: 2000 });
  });

  it('keeps Apache\'s HTML page and plain text as detail, reads declared and untyped XML', () => {
    const xml = '<D:error xmlns:D="DAV:"><D:need-privileges/></D:error>';
    expect(readAsXml('text/html; charset=ISO-8859-1', Buffer.from('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN">\n<html></html>'))).toBe(false);
    expect(readAsXml('text/plain', Buffer.from('forbidden'))).toBe(false);
    expect(readAsXml('text/html', Buffer.from(`<?xml version="1.0"?>${xml}`))).toBe(true);
    expect(readAsXml('', Buffer.from(xml))).toBe(true);
    expect(readAsXml('', Buffer.from(`\r\n ${xml}`))).toBe(true);
    expect(readAsXml('text/html', Buffer.from(`\ufeff<?xml version="1.0"?>${xml}`))).toBe(true);
  });
});
