import { create } from 'xmlbuilder2';
import { BuilderSink } from './builder-sink';
import { findNonXmlChar } from './chars';
import { escapeAttribute, escapeText } from './escape';
import type { ResponseSink } from './response-events';

/**
 * The serialization of one shape (a response, a piece of a request body), cut at its text and
 * attribute values: `parts[0] value0 parts[1] value1 … parts[n]`.
 */
interface Template {
  readonly parts: readonly string[];
  /** For each value, whether it stands in an attribute (else in text). */
  readonly attributeSlots: readonly boolean[];
}

/**
 * Root content that xmlbuilder2 writes as it is in text but escapes in attribute values (`"`
 * becomes `&quot;`), so the only place it can stand in the serialization is where it was put,
 * whatever namespace URIs the root declares.
 */
const CONTENT_MARK = '"@@davgate-content@@"';

/** A document's prolog and root start tag with its declarations, and the root's end tag, as xmlbuilder2 writes them around the root's content. */
export function documentShell(qname: string, declarations: Record<string, string>): readonly [string, string] {
  const text = create({ version: '1.0', encoding: 'utf-8' }).ele(qname, declarations).txt(CONTENT_MARK).end();
  const at = text.indexOf(CONTENT_MARK);
  return [text.slice(0, at), text.slice(at + CONTENT_MARK.length)];
}

/** Markers cannot be confused with anything else in a shape: `@` occurs in no XML name. */
const slotMarker = (index: number): string => `@@${index}@@`;
const SLOT_PATTERN = /@@\d+@@/;

const TEXT_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = { ...TEXT_ESCAPES, '"': '&quot;', '\n': '&#10;', '\t': '&#9;' };
const TEXT_SPECIAL = /[&<>\r]/g;
const ATTRIBUTE_SPECIAL = /[&<>"\r\n\t]/g;

/**
 * A piece from its shape's template and its values, escaped exactly as xmlbuilder2 writes
 * text and attributes after escape.ts (`&`, `<`, `>` and CR in text; also `"`, LF and TAB in
 * attributes). Undefined when a value holds a character XML cannot carry.
 */
function fillSlots(template: Template, values: readonly string[]): string | undefined {
  const { parts, attributeSlots } = template;
  let out = parts[0] as string;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as string;
    if (findNonXmlChar(value) !== undefined) return undefined;
    out += (attributeSlots[i] === true ? escapeWith(value, ATTRIBUTE_SPECIAL, ATTRIBUTE_ESCAPES) : escapeWith(value, TEXT_SPECIAL, TEXT_ESCAPES)) + (parts[i + 1] as string);
  }
  return out;
}

function escapeWith(value: string, pattern: RegExp, escapes: Readonly<Record<string, string>>): string {
  pattern.lastIndex = 0;
  return pattern.test(value) ? value.replace(pattern, (c) => escapes[c] as string) : value;
}

/**
 * Writes pieces of XML of repeated shapes with xmlbuilder2, each distinct shape once: its
 * serialization with a marker in every text and attribute value is kept, and a piece of a known
 * shape is that serialization with its own values, escaped as xmlbuilder2 escapes them after
 * escape.ts (test/xml holds both ways to the same output). xmlbuilder2's cost is in creating
 * DOM nodes, and a listing, or a gateway's stream of PROPPATCH bodies, repeats a few shapes.
 */
export class ShapeTemplates {
  private readonly templates = new Map<string, Template>();

  /**
   * `max` distinct shapes are kept; past that, `whenFull` says whether pieces of new shapes are
   * built one by one (`direct`, for one document) or the kept shapes are dropped (`clear`, for
   * a cache that lives as long as the process).
   */
  constructor(
    private readonly max: number,
    private readonly whenFull: 'direct' | 'clear',
  ) {}

  /** The piece `emit` describes, from its shape's template when it has one. */
  write(emit: (sink: ResponseSink) => void): string {
    const shape = new ShapeSink();
    emit(shape);
    let template = this.templates.get(shape.key);
    if (template === undefined) {
      if (this.templates.size >= this.max) {
        if (this.whenFull === 'direct') return ShapeTemplates.direct(emit);
        this.templates.clear();
      }
      template = ShapeTemplates.template(emit);
      this.templates.set(shape.key, template);
    }
    // A value XML cannot carry: the direct path says where it is.
    return fillSlots(template, shape.values) ?? ShapeTemplates.direct(emit);
  }

  /** The piece built by xmlbuilder2 alone. */
  static direct(emit: (sink: ResponseSink) => void): string {
    const sink = new BuilderSink(escapeText, escapeAttribute);
    emit(sink);
    return sink.end();
  }

  private static template(emit: (sink: ResponseSink) => void): Template {
    const attributeSlots: boolean[] = [];
    const marker = (attribute: boolean) => () => {
      attributeSlots.push(attribute);
      return slotMarker(attributeSlots.length - 1);
    };
    const sink = new BuilderSink(marker(false), marker(true));
    emit(sink);
    return { parts: sink.end().split(SLOT_PATTERN), attributeSlots };
  }
}

/** The shape of a piece (its elements, attribute names and where text goes) and its values. */
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
