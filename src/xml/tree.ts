import type { ClarkName } from '../model/clark';
import { DavgateError } from '../model/errors';
import type { XmlContent, XmlElement, XmlNode } from '../model/xml-content';
import { isNamespaceDeclaration, NamespaceScope } from './namespaces';

/** One node of fast-xml-parser's `preserveOrder` output: `{ [tag]: children, ':@'?: attrs }`. */
export type OrderedNode = Record<string, unknown>;

const TEXT = '#text';
const ATTRS = ':@';

/**
 * Names fast-xml-parser refuses or renames (it guards its own objects against prototype
 * pollution, and throws on `__proto__`). davgate must neither lose nor be hurt by them, so
 * they go through the parser with a `#` in front — `#` cannot occur in an XML name — and
 * lose it again here.
 */
const GUARDED_NAMES = new Set([
  '__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf',
  '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__',
]);
/** First characters of the guarded names: most tags are decided without hashing the name. */
const GUARDED_FIRST = new Set([...GUARDED_NAMES].map((n) => n.charCodeAt(0)));

/** fast-xml-parser's `transformTagName`: marks guarded names. */
export function guardTagName(name: string): string {
  return GUARDED_FIRST.has(name.charCodeAt(0)) && GUARDED_NAMES.has(name) ? `#${name}` : name;
}

/** Converts the parser's ordered output into namespace-resolved elements, with CRs restored. */
export class TreeBuilder {
  private readonly crMark: string | undefined;
  private readonly blank: RegExp;
  private readonly maxDepth: number;

  /** `crMark`: what stands for CR in the parsed text (protectCarriageReturns); `maxDepth` counts the root as 1. */
  constructor(crMark: string | undefined, maxDepth: number) {
    this.crMark = crMark;
    this.blank = new RegExp(`^[ \\t\\n\\r${crMark ?? ''}]*$`);
    this.maxDepth = maxDepth;
  }

  /** The single root element of a document. */
  root(nodes: readonly OrderedNode[]): XmlElement {
    const elements: XmlElement[] = [];
    const scope = NamespaceScope.root();
    for (const node of nodes) {
      const tag = tagOf(node);
      if (tag === TEXT || tag.charCodeAt(0) === 63 /* ? */) continue;
      elements.push(this.element(node, tag, scope, 1));
    }
    if (elements.length !== 1) throw new DavgateError('XML_MALFORMED', `a document has one root element, found ${elements.length}`);
    return elements[0] as XmlElement;
  }

  private element(node: OrderedNode, tag: string, parentScope: NamespaceScope, depth: number): XmlElement {
    if (depth > this.maxDepth) throw new DavgateError('XML_TOO_DEEP', `more than ${this.maxDepth} levels`);
    const rawAttrs = node[ATTRS] as Record<string, unknown> | undefined;
    const scope = parentScope.enter(rawAttrs);
    const name = scope.element(tag.charCodeAt(0) === 35 /* # */ ? tag.slice(1) : tag);
    const attrs = rawAttrs === undefined ? undefined : this.attributes(rawAttrs, scope);
    const value = this.content(node[tag] as readonly OrderedNode[], scope, depth);
    return attrs === undefined ? { name, value } : { name, attrs, value };
  }

  private attributes(raw: Record<string, unknown>, scope: NamespaceScope): ReadonlyMap<ClarkName, string> | undefined {
    let attrs: Map<ClarkName, string> | undefined;
    for (const key in raw) {
      if (isNamespaceDeclaration(key)) continue;
      attrs ??= new Map();
      attrs.set(scope.attribute(key.slice(1)), this.text(String(raw[key])));
    }
    return attrs;
  }

  /** RFC 4918 §4.3 content rules, as documented on XmlContent. */
  private content(children: readonly OrderedNode[], scope: NamespaceScope, depth: number): XmlContent {
    let text = '';
    let nodes: XmlNode[] | undefined;
    let sawText = false;
    let mixed = false;
    for (const child of children) {
      const tag = tagOf(child);
      if (tag === TEXT) {
        const piece = child[TEXT] as string;
        if (nodes === undefined) {
          text += piece;
        } else {
          nodes.push(piece);
          sawText = true;
          if (!mixed && !this.blank.test(piece)) mixed = true;
        }
        continue;
      }
      if (tag.charCodeAt(0) === 63 /* ? */) continue;
      if (nodes === undefined) {
        nodes = [];
        if (text !== '') {
          nodes.push(text);
          sawText = true;
          mixed = !this.blank.test(text);
        }
      }
      nodes.push(this.element(child, tag, scope, depth + 1));
    }
    if (nodes === undefined) return text === '' ? null : this.text(text);
    if (!sawText) return nodes;
    return mixed ? this.mergeText(nodes) : nodes.filter((n) => typeof n !== 'string');
  }

  /** Adjacent text pieces (text and CDATA) become one string. */
  private mergeText(nodes: readonly XmlNode[]): XmlNode[] {
    const out: XmlNode[] = [];
    for (const node of nodes) {
      const last = out[out.length - 1];
      if (typeof node === 'string' && typeof last === 'string') out[out.length - 1] = last + node;
      else if (node !== '') out.push(node);
    }
    return out.map((n) => (typeof n === 'string' ? this.text(n) : n));
  }

  private text(raw: string): string {
    return this.crMark !== undefined && raw.includes(this.crMark) ? raw.replaceAll(this.crMark, '\r') : raw;
  }
}

function tagOf(node: OrderedNode): string {
  for (const key in node) if (key !== ATTRS) return key;
  return TEXT;
}
