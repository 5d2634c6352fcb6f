import { create, fragment } from 'xmlbuilder2';
import type { DavResponse, MultiStatus } from '../model/multistatus';
import { escapeAttribute, escapeText } from './escape';
import { PrefixTable } from './prefixes';
import { BuilderSink } from './builder-sink';
import { emitResponse, type ResponseSink } from './response-events';
import { fillSlots, SLOT_PATTERN, slotMarker, type Template } from './templates';

const BODY_MARK = '@@davgate-responses@@';

/** Distinct response shapes kept per document; past that, responses are built one by one. */
const MAX_TEMPLATES = 256;

/** Options for building. */
export interface BuildOptions {
  /** Reuse xmlbuilder2's serialization of each distinct response shape (default true). */
  readonly templates?: boolean;
}

/**
 * The multistatus as pieces of text: the prolog and root start tag, one piece per response,
 * then the closing part. The namespaces are declared once on the root, so each response is
 * built on its own: one xmlbuilder2 document for a whole large listing is superlinear in time
 * and memory (HARDENING.md). Never writes a response with both a status and propstats.
 */
export function* buildMultiStatusChunks(ms: MultiStatus, options: BuildOptions = {}): Generator<string> {
  const prefixes = PrefixTable.of(ms);
  const shell = create({ version: '1.0', encoding: 'utf-8' })
    .ele('D:multistatus', prefixes.declarations())
    .txt(BODY_MARK);
  const [head, tail] = shell.end().split(BODY_MARK) as [string, string];
  yield head;
  const writer = new ResponseWriter(prefixes, options.templates ?? true);
  let index = 0;
  for (const response of ms.responses) yield writer.write(response, index++);
  if (ms.description !== undefined || ms.syncToken !== undefined) {
    const top = fragment();
    if (ms.description !== undefined) top.ele('D:responsedescription').txt(escapeText(ms.description, () => 'the responsedescription'));
    if (ms.syncToken !== undefined) top.ele('D:sync-token').txt(escapeText(ms.syncToken, () => 'the sync-token'));
    yield top.end();
  }
  yield tail;
}

/** The whole multistatus document as one string. */
export function buildMultiStatus(ms: MultiStatus, options: BuildOptions = {}): string {
  return Array.from(buildMultiStatusChunks(ms, options)).join('');
}

/**
 * Writes responses with xmlbuilder2. A listing repeats a few shapes (the same elements with
 * other text) thousands of times, and xmlbuilder2's cost is in creating DOM nodes, so each
 * distinct shape is built once with a marker in every text and attribute value; a response of
 * a known shape is that serialization with its own values, escaped as xmlbuilder2 escapes them
 * (test/xml/build-multistatus.test.ts holds both ways to the same output).
 */
class ResponseWriter {
  private readonly templates = new Map<string, Template>();

  constructor(
    private readonly prefixes: PrefixTable,
    private readonly useTemplates: boolean,
  ) {}

  write(response: DavResponse, index: number): string {
    if (!this.useTemplates) return this.direct(response, index);
    const shape = new ShapeSink();
    emitResponse(response, index, this.prefixes, shape);
    let template = this.templates.get(shape.key);
    if (template === undefined) {
      if (this.templates.size >= MAX_TEMPLATES) return this.direct(response, index);
      template = this.template(response, index);
      this.templates.set(shape.key, template);
    }
    // A value XML cannot carry: the direct path says where it is.
    return fillSlots(template, shape.values) ?? this.direct(response, index);
  }

  private direct(response: DavResponse, index: number): string {
    const sink = new BuilderSink((value, where) => escapeText(value, where), (value, where) => escapeAttribute(value, where));
    emitResponse(response, index, this.prefixes, sink);
    return sink.end();
  }

  private template(response: DavResponse, index: number): Template {
    const attributeSlots: boolean[] = [];
    const marker = (attribute: boolean) => () => {
      attributeSlots.push(attribute);
      return slotMarker(attributeSlots.length - 1);
    };
    const sink = new BuilderSink(marker(false), marker(true));
    emitResponse(response, index, this.prefixes, sink);
    return { parts: sink.end().split(SLOT_PATTERN), attributeSlots };
  }
}

/** The shape of a response (its elements, attribute names and where text goes) and its values. */
class ShapeSink implements ResponseSink {
  key = '';
  readonly values: string[] = [];

  open(qname: string): void {
    this.key += `<${qname}`;
  }

  attribute(qname: string, value: string): void {
    this.key += ` ${qname}=`;
    this.values.push(value);
  }

  text(value: string): void {
    this.key += '"';
    this.values.push(value);
  }

  close(): void {
    this.key += '>';
  }
}
