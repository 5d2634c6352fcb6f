import { XMLParser } from 'fast-xml-parser';
import { dav } from '../model/clark';
import { DavgateError } from '../model/errors';
import type { MultiStatus } from '../model/multistatus';
import type { XmlElement } from '../model/xml-content';
import { decodeBody } from './decode-body';
import { xmlEntityDecoder } from './entities';
import { DEFAULT_LIMITS, type ParseLimits } from './limits';
import { protectCarriageReturns, rejectInvalidChars, type MarkedText } from './prescan';
import { checkWellFormed } from './well-formed';
import { readMultiStatus } from './read-multistatus';
import { guardTagName, TreeBuilder, type OrderedNode } from './tree';

/**
 * Parses an untrusted multistatus body into the model. Every failure is a DavgateError with
 * a stable code (DESIGN.md invariant 4); nothing partial is returned.
 */
export function parseMultiStatus(body: string | Uint8Array, limits: Partial<ParseLimits> = {}): MultiStatus {
  const { nodes, tree } = parseOrdered(body, limits);
  return readMultiStatus(nodes, tree);
}

/** Parses any XML body (a DAV:error, a LOCK answer, a multistatus) to its root element. */
export function parseXmlDocument(body: string | Uint8Array, limits: Partial<ParseLimits> = {}): XmlElement {
  const { nodes, tree } = parseOrdered(body, limits);
  const root = tree.rootNode(nodes);
  return tree.element(root.node, root.tag, root.name, root.scope);
}

/** What a DAV answer body turned out to be. */
export type DavBody =
  | { readonly kind: 'multistatus'; readonly multistatus: MultiStatus }
  | { readonly kind: 'element'; readonly root: XmlElement };

/** Parses an answer body once: a multistatus into the model, anything else (a DAV:error, a LOCK's prop) as its root element. */
export function parseDavBody(body: string | Uint8Array, limits: Partial<ParseLimits> = {}): DavBody {
  const { nodes, tree } = parseOrdered(body, limits);
  const root = tree.rootNode(nodes);
  if (root.name === dav('multistatus')) return { kind: 'multistatus', multistatus: readMultiStatus(nodes, tree) };
  return { kind: 'element', root: tree.element(root.node, root.tag, root.name, root.scope) };
}

/** The checks every body goes through, then fast-xml-parser's ordered output. */
function parseOrdered(body: string | Uint8Array, limits: Partial<ParseLimits>): { nodes: OrderedNode[]; tree: TreeBuilder } {
  const { maxBytes, maxDepth } = { ...DEFAULT_LIMITS, ...limits };
  const { text, mark } = checkedText(body, maxBytes, maxDepth);
  try {
    // maxNestedTags is a second guard; checkWellFormed already enforced the exact limit.
    return { nodes: parserFor(maxDepth + 1).parse(text) as OrderedNode[], tree: new TreeBuilder(mark) };
  } catch (error) {
    throw translate(error);
  }
}

/**
 * The decoded, checked text with its CRs marked. A function of its own so that the decoded
 * text is garbage once the marked copy exists: on a 100 MB listing each is a 200 MB string.
 */
function checkedText(body: string | Uint8Array, maxBytes: number, maxDepth: number): MarkedText {
  const text = decodeBody(body, maxBytes);
  rejectInvalidChars(text);
  checkWellFormed(text, maxDepth);
  return protectCarriageReturns(text);
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
