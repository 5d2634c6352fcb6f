import type { ClarkName } from '../model/clark';
import { DavgateError } from '../model/errors';
import type { PropValue, XmlContent, XmlElement, XmlNode } from '../model/xml-content';
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

/** The tag of a node, or '#text' for text. */
function tagOf(node: OrderedNode): string {
  for (const key in node) if (key !== ATTRS) return key;
  return TEXT;
}

/** Receives an element node of the parser's output with its tag, resolved name and namespace scope. */
export type ElementVisitor = (node: OrderedNode, tag: string, name: ClarkName, scope: NamespaceScope) => void;

/** An element node of the parser's output with its tag, resolved name and namespace scope. */
export interface ElementNode {
  readonly node: OrderedNode;
  readonly tag: string;
  readonly name: ClarkName;
  readonly scope: NamespaceScope;
}

/**
 * Reads the parser's ordered output: namespace-resolved names, lossless content, CRs
 * restored. Nesting depth was checked before parsing (well-formed.ts).
 */
export class TreeBuilder {
  private readonly crMark: string | undefined;
  private readonly blank: RegExp;

  /** `crMark`: what stands for CR in the parsed text (protectCarriageReturns). */
  constructor(crMark: string | undefined) {
    this.crMark = crMark;
    this.blank = new RegExp(`^[ \\t\\n\\r${crMark ?? ''}]*$`);
  }

  /** The single root element of a document, with its scope. */
  rootNode(nodes: readonly OrderedNode[]): ElementNode {
    const roots: ElementNode[] = [];
    this.forEachElement(nodes, NamespaceScope.root(), (node, tag, name, scope) => roots.push({ node, tag, name, scope }));
    if (roots.length !== 1) throw new DavgateError('XML_MALFORMED', `a document has one root element, found ${roots.length}`);
    return roots[0] as ElementNode;
  }

  /**
   * Calls `visit` for each element among some children, with its resolved name and scope
   * (text and processing instructions skipped). A callback rather than an array: this runs
   * for every element of every response.
   */
  forEachElement(children: readonly OrderedNode[], scope: NamespaceScope, visit: ElementVisitor): void {
    for (const node of children) {
      const tag = tagOf(node);
      if (tag === TEXT || tag.charCodeAt(0) === 63 /* ? */) continue;
      const inner = scope.enter(node[ATTRS] as Record<string, unknown> | undefined);
      visit(node, tag, inner.element(unguard(tag)), inner);
    }
  }

  /** The text directly inside an element node (element children contribute nothing). */
  textOf(node: OrderedNode, tag: string): string {
    let text = '';
    for (const child of node[tag] as readonly OrderedNode[]) if (TEXT in child) text += child[TEXT] as string;
    return this.text(text);
  }

  /** A whole element, with attributes and content. */
  element(node: OrderedNode, tag: string, name: ClarkName, scope: NamespaceScope): XmlElement {
    const rawAttrs = node[ATTRS] as Record<string, unknown> | undefined;
    const attrs = rawAttrs === undefined ? undefined : this.attributes(rawAttrs, scope);
    const value = this.content(node[tag] as readonly OrderedNode[], scope);
    return attrs === undefined ? { name, value } : { name, attrs, value };
  }

  /** A property's value: the element's attributes and content, without its name. */
  propValue(node: OrderedNode, tag: string, scope: NamespaceScope): PropValue {
    const rawAttrs = node[ATTRS] as Record<string, unknown> | undefined;
    const attrs = rawAttrs === undefined ? undefined : this.attributes(rawAttrs, scope);
    const value = this.content(node[tag] as readonly OrderedNode[], scope);
    return attrs === undefined ? { value } : { attrs, value };
  }

  /** The attributes of an element node (namespace declarations excluded), or undefined. */
  attributes(raw: Record<string, unknown>, scope: NamespaceScope): ReadonlyMap<ClarkName, string> | undefined {
    let attrs: Map<ClarkName, string> | undefined;
    for (const key in raw) {
      if (isNamespaceDeclaration(key)) continue;
      attrs ??= new Map();
      attrs.set(scope.attribute(key.slice(1)), this.text(String(raw[key])));
    }
    return attrs;
  }

  /** RFC 4918 §4.3 content rules, as documented on XmlContent. */
  content(children: readonly OrderedNode[], scope: NamespaceScope): XmlContent {
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
      const inner = scope.enter(child[ATTRS] as Record<string, unknown> | undefined);
      nodes.push(this.element(child, tag, inner.element(unguard(tag)), inner));
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

  /** Text as the server meant it: the CR stand-in turned back into CR. */
  text(raw: string): string {
    return this.crMark !== undefined && raw.includes(this.crMark) ? raw.replaceAll(this.crMark, '\r') : raw;
  }
}

function unguard(tag: string): string {
  return tag.charCodeAt(0) === 35 /* # */ ? tag.slice(1) : tag;
}
