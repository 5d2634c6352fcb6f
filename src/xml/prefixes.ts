import { NS, splitClark, type ClarkName } from '../model/clark';
import type { DavError, MultiStatus } from '../model/multistatus';
import type { PropValue, XmlContent, XmlElement } from '../model/xml-content';

const PREFERRED = new Map<string, string>([
  [NS.DAV, 'D'],
  [NS.CALDAV, 'C'],
  [NS.CARDDAV, 'CR'],
  [NS.CALENDARSERVER, 'CS'],
  [NS.APPLE_ICAL, 'ICAL'],
]);

/**
 * Prefixes for one output document. Every namespace is declared once, on the root element,
 * so each response can be built on its own and streamed; names in no namespace stay
 * unprefixed, and no default namespace is ever declared.
 */
export class PrefixTable {
  private readonly prefixes = new Map<string, string>([[NS.DAV, 'D']]);
  private readonly qnames = new Map<ClarkName, string>();

  /** Collects every namespace a document uses. */
  static of(ms: MultiStatus): PrefixTable {
    const table = new PrefixTable();
    for (const response of ms.responses) {
      table.addError(response.error);
      if (response.kind === 'status') continue;
      for (const propstat of response.propstats) {
        table.addError(propstat.error);
        for (const [name, value] of propstat.props) {
          table.addName(name);
          if (value.attrs !== undefined) for (const attr of value.attrs.keys()) table.addName(attr);
          table.addContent(value.value);
        }
      }
    }
    return table;
  }

  /** Collects the namespaces of some properties and further names (a request body). */
  static ofProps(props: Iterable<readonly [ClarkName, PropValue]>, names: Iterable<ClarkName> = []): PrefixTable {
    const table = new PrefixTable();
    for (const [name, value] of props) {
      table.addName(name);
      if (value.attrs !== undefined) for (const attr of value.attrs.keys()) table.addName(attr);
      table.addContent(value.value);
    }
    for (const name of names) table.addName(name);
    return table;
  }

  /** `xmlns:p` attributes for the root element. */
  declarations(): Record<string, string> {
    const attrs: Record<string, string> = {};
    for (const [uri, prefix] of this.prefixes) attrs[`xmlns:${prefix}`] = uri;
    return attrs;
  }

  /** The qualified name to write for a Clark name. */
  qname(name: ClarkName): string {
    let qname = this.qnames.get(name);
    if (qname === undefined) {
      const { namespace, local } = splitClark(name);
      qname = namespace === '' ? local : `${this.prefixFor(namespace)}:${local}`;
      this.qnames.set(name, qname);
    }
    return qname;
  }

  private prefixFor(namespace: string): string {
    if (namespace === NS.XML) return 'xml';
    const prefix = this.prefixes.get(namespace);
    if (prefix === undefined) throw new RangeError(`namespace ${namespace} was not collected`);
    return prefix;
  }

  private addName(name: ClarkName): void {
    const { namespace } = splitClark(name);
    if (namespace === '' || namespace === NS.XML || this.prefixes.has(namespace)) return;
    this.prefixes.set(namespace, PREFERRED.get(namespace) ?? `ns${this.prefixes.size}`);
  }

  private addError(error: DavError | undefined): void {
    if (error !== undefined) for (const condition of error.conditions) this.addElement(condition);
  }

  private addElement(element: XmlElement): void {
    this.addName(element.name);
    if (element.attrs !== undefined) for (const attr of element.attrs.keys()) this.addName(attr);
    this.addContent(element.value);
  }

  private addContent(content: XmlContent): void {
    if (content === null || typeof content === 'string') return;
    for (const node of content) if (typeof node !== 'string') this.addElement(node);
  }
}
