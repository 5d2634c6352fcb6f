import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DavgateError, positionAt } from '../model/errors';
import type { MultiStatus } from '../model/multistatus';
import type { XmlElement } from '../model/xml-content';
import { decodeBody } from './decode-body';
import { xmlEntityDecoder } from './entities';
import { DEFAULT_LIMITS, type ParseLimits } from './limits';
import { protectCarriageReturns, rejectDeclarations, rejectInvalidChars } from './prescan';
import { readMultiStatus } from './read-multistatus';
import { guardTagName, TreeBuilder, type OrderedNode } from './tree';

/**
 * Parses an untrusted multistatus body into the model. Every failure is a DavgateError with
 * a stable code (DESIGN.md invariant 4); nothing partial is returned.
 */
export function parseMultiStatus(body: string | Uint8Array, limits: Partial<ParseLimits> = {}): MultiStatus {
  return readMultiStatus(parseXmlDocument(body, limits));
}

/** Parses any XML body (a multistatus, a DAV:error, a LOCK answer) to its root element. */
export function parseXmlDocument(body: string | Uint8Array, limits: Partial<ParseLimits> = {}): XmlElement {
  const { maxBytes, maxDepth } = { ...DEFAULT_LIMITS, ...limits };
  const text = decodeBody(body, maxBytes);
  rejectDeclarations(text);
  rejectInvalidChars(text);
  validate(text);
  const marked = protectCarriageReturns(text);
  let nodes: OrderedNode[];
  try {
    // The parser's own guard stops a deep document before it is built (it does not count
    // self-closing leaves, so TreeBuilder enforces the exact limit).
    nodes = parserFor(maxDepth + 1).parse(marked.text) as OrderedNode[];
  } catch (error) {
    throw translate(error);
  }
  return new TreeBuilder(marked.mark, maxDepth).root(nodes);
}

/**
 * fast-xml-parser accepts truncated documents and mismatched closing tags; its validator
 * does not, and costs less than the difference between its fastest and default options.
 */
function validate(xml: string): void {
  const result = XMLValidator.validate(xml);
  if (result === true) return;
  const { code, msg, line, col } = result.err;
  // At the end of the input the validator reports the elements still open.
  const truncated = (code === 'InvalidTag' && msg.startsWith('Unclosed tag')) || (code === 'InvalidXml' && msg.startsWith("Invalid '["));
  if (!truncated) throw new DavgateError('XML_MALFORMED', msg, { line, column: col });
  const open = Array.from(msg.matchAll(/["']([^"'[\]\s]+)["']/g), (m) => `<${m[1]}>`).join(', ');
  throw new DavgateError('XML_TRUNCATED', `still open: ${open}`, positionAt(xml, xml.trimEnd().length));
}

function translate(error: unknown): DavgateError {
  if (error instanceof DavgateError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/nested tags/i.test(message)) return new DavgateError('XML_TOO_DEEP', 'over the nesting limit');
  return new DavgateError('XML_MALFORMED', message);
}

const parsers = new Map<number, XMLParser>();

/** One parser per depth limit: fast-xml-parser compiles its options once per instance. */
function parserFor(maxDepth: number): XMLParser {
  let parser = parsers.get(maxDepth);
  if (parser === undefined) {
    parser = new XMLParser({
      preserveOrder: true,
      jPath: false,
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: false,
      processEntities: true,
      htmlEntities: false,
      entityDecoder: xmlEntityDecoder,
      ignoreDeclaration: true,
      ignorePiTags: true,
      maxNestedTags: maxDepth,
      transformTagName: guardTagName,
    });
    parsers.set(maxDepth, parser);
  }
  return parser;
}
