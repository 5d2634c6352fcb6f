import { NS, type ClarkName } from '../model/clark';
import { DavgateError } from '../model/errors';

/**
 * The in-scope namespace declarations of an element (Namespaces in XML 1.0 §6): fast-xml-parser
 * leaves prefixes unresolved, so davgate resolves every element and attribute name to Clark
 * notation here, and prefixes go no further. A scope caches the names it has resolved, since
 * a listing repeats the same few names hundreds of thousands of times.
 */
export class NamespaceScope {
  private readonly prefixes: Map<string, string>;
  private readonly elementNames = new Map<string, ClarkName>();

  private constructor(prefixes: Map<string, string>) {
    this.prefixes = prefixes;
  }

  /** The scope outside the root element: only `xml` is bound, and no default namespace. */
  static root(): NamespaceScope {
    return new NamespaceScope(new Map([['xml', NS.XML]]));
  }

  /**
   * The scope inside an element with these attributes (fast-xml-parser's, `@`-prefixed): this
   * scope itself when the element declares nothing, else a child scope.
   */
  enter(attrs: Readonly<Record<string, unknown>> | undefined): NamespaceScope {
    if (attrs === undefined) return this;
    let declared: Map<string, string> | undefined;
    for (const key in attrs) {
      if (!key.startsWith('@xmlns')) continue;
      let prefix: string;
      if (key === '@xmlns') prefix = '';
      else if (key.charCodeAt(6) === 58 /* : */) prefix = key.slice(7);
      else continue;
      declared ??= new Map(this.prefixes);
      declared.set(prefix, String(attrs[key]));
    }
    return declared === undefined ? this : new NamespaceScope(declared);
  }

  /** The Clark name of an element's qualified name; unprefixed names take the default namespace. */
  element(qname: string): ClarkName {
    let name = this.elementNames.get(qname);
    if (name === undefined) {
      name = this.resolve(qname, true);
      this.elementNames.set(qname, name);
    }
    return name;
  }

  /** The Clark name of an attribute; unprefixed attributes are in no namespace (§6.2). */
  attribute(qname: string): ClarkName {
    return qname.includes(':') ? this.resolve(qname, false) : qname;
  }

  private resolve(qname: string, isElement: boolean): ClarkName {
    const colon = qname.indexOf(':');
    const prefix = colon === -1 ? '' : qname.slice(0, colon);
    const local = colon === -1 ? qname : qname.slice(colon + 1);
    const uri = this.prefixes.get(prefix);
    if (uri === undefined) {
      if (prefix === '' && isElement) return local;
      throw new DavgateError('XML_UNBOUND_PREFIX', `"${prefix}" in <${qname}>`);
    }
    // xmlns="" undeclares the default namespace (§6.2).
    return uri === '' ? local : `{${uri}}${local}`;
  }
}

/** True for attributes that declare namespaces rather than carry data. */
export function isNamespaceDeclaration(key: string): boolean {
  return key === '@xmlns' || key.startsWith('@xmlns:');
}
