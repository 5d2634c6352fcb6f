import { NCNAME_PATTERN } from '../model/clark';
import { DavgateError, positionAt } from '../model/errors';

/*
 * The well-formedness check that runs before fast-xml-parser, which accepts truncated
 * documents and mismatched closing tags (HARDENING.md). Its own XMLValidator would do, but it
 * builds every name a character at a time and cost more than the parse itself on large
 * listings; this check does one pass with sticky regular expressions. What it enforces
 * (XML 1.0 §2.1 document, §2.5–2.8, §3.1 tags, §2.7 CDATA), each tested in
 * test/xml/well-formed.test.ts:
 *
 * - exactly one root element, nothing but white space, comments and processing instructions
 *   around it, the XML declaration only at the very start;
 * - start tags with a valid name and attributes that are `name="value"` or `name='value'`
 *   with no `<` in the value, each name once; end tags that close the innermost open element;
 * - comments, CDATA sections (inside the root only) and processing instructions terminated;
 * - no `<!DOCTYPE`, `<!ENTITY` or any other declaration (XML_DOCTYPE_FORBIDDEN);
 * - nesting no deeper than the limit (XML_TOO_DEEP), checked before anything is built.
 *
 * Character references and entities are checked where they are decoded (entities.ts),
 * characters XML does not allow before this runs (chars.ts).
 */

/** Namespaces in XML §3: `prefix:local` or `local` (`xmlns:p` for attributes). */
const QNAME = new RegExp(`^${NCNAME_PATTERN}(?::${NCNAME_PATTERN})?$`, 'u');

const S = '[ \\t\\r\\n]';
/** A start tag from its `<`: name, attributes (each `S name S? = S? "value"`), S?, then `/>` or `>`. */
const START_TAG = new RegExp(`<([^ \\t\\r\\n/>=<"']+)((?:${S}+[^ \\t\\r\\n=/>"'<]+${S}*=${S}*(?:"[^"<]*"|'[^'<]*'))*)${S}*(/?)>`, 'y');
const ATTRIBUTE_NAME = new RegExp(`${S}+([^ \\t\\r\\n=/>"'<]+)${S}*=`, 'g');
const END_TAG_REST = new RegExp(`${S}*>`, 'y');
const BLANK = /^[ \t\r\n]*$/;

/** Throws a DavgateError with the position of the first problem; returns when the markup is well-formed. */
export function checkWellFormed(xml: string, maxDepth: number): void {
  new WellFormedness(xml, maxDepth).run();
}

class WellFormedness {
  private readonly open: string[] = [];
  private readonly validNames = new Map<string, boolean>();
  private rootSeen = false;

  constructor(
    private readonly xml: string,
    private readonly maxDepth: number,
  ) {}

  run(): void {
    const { xml } = this;
    let pos = xml.startsWith('<?xml') && /^<\?xml[ \t\r\n?]/.test(xml) ? this.processingInstruction(0) : 0;
    while (pos < xml.length) {
      const lt = xml.indexOf('<', pos);
      this.text(pos, lt === -1 ? xml.length : lt);
      if (lt === -1) break;
      pos = this.markup(lt);
    }
    if (this.open.length > 0) {
      const names = this.open.map((n) => `<${n}>`).join(', ');
      throw new DavgateError('XML_TRUNCATED', `still open: ${names}`, positionAt(xml, xml.trimEnd().length));
    }
    if (!this.rootSeen) this.fail('XML_MALFORMED', 'no root element', xml.length);
  }

  /** Character data between markup; outside the root element only white space may stand. */
  private text(from: number, to: number): void {
    if (this.open.length > 0 || from === to) return;
    const text = this.xml.slice(from, to);
    if (!BLANK.test(text)) this.fail('XML_MALFORMED', this.rootSeen ? 'text after the root element' : 'text before the root element', from);
  }

  /** The markup starting at `lt`; returns the position after it. */
  private markup(lt: number): number {
    const { xml } = this;
    const next = xml.charCodeAt(lt + 1);
    if (next === 47 /* / */) return this.endTag(lt);
    if (next === 63 /* ? */) return this.processingInstruction(lt);
    if (next === 33 /* ! */) {
      if (xml.startsWith('<!--', lt)) return this.terminated(lt, 4, '-->', 'comment');
      if (xml.startsWith('<![CDATA[', lt)) {
        if (this.open.length === 0) this.fail('XML_MALFORMED', 'a CDATA section outside the root element', lt);
        return this.terminated(lt, 9, ']]>', 'CDATA section');
      }
      if (lt + 2 >= xml.length) this.truncated(lt, 'markup');
      throw new DavgateError('XML_DOCTYPE_FORBIDDEN', undefined, positionAt(xml, lt));
    }
    return this.startTag(lt);
  }

  private startTag(lt: number): number {
    const { xml } = this;
    START_TAG.lastIndex = lt;
    const match = START_TAG.exec(xml);
    if (match === null) {
      if (xml.indexOf('>', lt) === -1) this.truncated(lt, 'start tag');
      return this.fail('XML_MALFORMED', `malformed start tag near "${xml.slice(lt, lt + 40)}"`, lt);
    }
    const [, name = '', attributes = '', selfClosing] = match;
    this.checkName(name, lt);
    if (attributes !== '') this.checkAttributes(attributes, lt);
    if (this.open.length === 0) {
      if (this.rootSeen) this.fail('XML_MALFORMED', 'a second root element', lt);
      this.rootSeen = true;
    }
    if (selfClosing === '') {
      this.open.push(name);
      if (this.open.length > this.maxDepth) throw new DavgateError('XML_TOO_DEEP', `more than ${this.maxDepth} levels`, positionAt(xml, lt));
    } else if (this.open.length + 1 > this.maxDepth) {
      throw new DavgateError('XML_TOO_DEEP', `more than ${this.maxDepth} levels`, positionAt(xml, lt));
    }
    return START_TAG.lastIndex;
  }

  private endTag(lt: number): number {
    const { xml, open } = this;
    const expected = open[open.length - 1];
    if (expected === undefined) return this.fail('XML_MALFORMED', 'a closing tag with no element open', lt);
    const nameEnd = lt + 2 + expected.length;
    END_TAG_REST.lastIndex = nameEnd;
    if (!xml.startsWith(expected, lt + 2) || END_TAG_REST.exec(xml) === null) {
      if (xml.indexOf('>', lt) === -1) this.truncated(lt, 'closing tag');
      const found = /^<\/([^ \t\r\n>]*)/.exec(xml.slice(lt, lt + 200))?.[1] ?? '';
      return this.fail('XML_MALFORMED', `expected </${expected}>, found </${found}>`, lt);
    }
    open.pop();
    return END_TAG_REST.lastIndex;
  }

  private processingInstruction(lt: number): number {
    const end = this.terminated(lt, 2, '?>', 'processing instruction');
    if (lt > 0 && /^<\?xml[ \t\r\n?]/i.test(this.xml.slice(lt, lt + 6))) this.fail('XML_MALFORMED', 'an XML declaration after the start of the document', lt);
    return end;
  }

  /** Skips to after `close`, which must come after `skip` characters. */
  private terminated(lt: number, skip: number, close: string, what: string): number {
    const end = this.xml.indexOf(close, lt + skip);
    if (end === -1) this.truncated(lt, what);
    return end + close.length;
  }

  private checkAttributes(attributes: string, lt: number): void {
    const seen: string[] = [];
    ATTRIBUTE_NAME.lastIndex = 0;
    for (let m = ATTRIBUTE_NAME.exec(attributes); m !== null; m = ATTRIBUTE_NAME.exec(attributes)) {
      const name = m[1] as string;
      this.checkName(name, lt);
      if (seen.includes(name)) this.fail('XML_MALFORMED', `attribute ${name} repeated`, lt);
      seen.push(name);
      // Skip the quoted value, which may hold what looks like another attribute.
      const quote = attributes.slice(ATTRIBUTE_NAME.lastIndex).search(/["']/) + ATTRIBUTE_NAME.lastIndex;
      ATTRIBUTE_NAME.lastIndex = attributes.indexOf(attributes[quote] as string, quote + 1) + 1;
    }
  }

  private checkName(name: string, at: number): void {
    let valid = this.validNames.get(name);
    if (valid === undefined) {
      valid = QNAME.test(name);
      this.validNames.set(name, valid);
    }
    if (!valid) this.fail('XML_MALFORMED', `"${name}" is not a valid name`, at);
  }

  private truncated(at: number, what: string): never {
    throw new DavgateError('XML_TRUNCATED', `the input ends inside a ${what}`, positionAt(this.xml, at));
  }

  private fail(code: 'XML_MALFORMED', detail: string, at: number): never {
    throw new DavgateError(code, detail, positionAt(this.xml, at));
  }
}
