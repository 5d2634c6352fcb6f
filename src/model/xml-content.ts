import type { ClarkName } from './clark';

/**
 * Lossless XML content of a property or an element (RFC 4918 §4.3: property values are
 * well-formed XML and must be preserved, including attributes and order).
 *
 * - `null`: no content at all (`<D:displayname/>`).
 * - a string: text-only content, byte for byte (CDATA and entity-escaped text alike,
 *   never trimmed or coerced).
 * - an array of nodes: element content, in document order. Whitespace-only text between
 *   elements is dropped (it is not significant in element content); any other text stays,
 *   so mixed content is kept exactly.
 */
export type XmlContent = null | string | readonly XmlNode[];

/** A node of element content: text, or an element. */
export type XmlNode = string | XmlElement;

/** An element with its Clark name, attributes (Clark names) and content. */
export interface XmlElement {
  readonly name: ClarkName;
  readonly attrs?: ReadonlyMap<ClarkName, string>;
  readonly value: XmlContent;
}

/**
 * The value of one property: its content, plus the attributes of the property element
 * itself when it has any (for instance `xml:lang` on a display name, RFC 4918 §4.3).
 */
export interface PropValue {
  readonly attrs?: ReadonlyMap<ClarkName, string>;
  readonly value: XmlContent;
}

/** The text of a property value, or undefined when it is empty or holds elements. */
export function textOf(value: PropValue | undefined): string | undefined {
  return value !== undefined && typeof value.value === 'string' ? value.value : undefined;
}

/** The elements directly inside some content. */
export function childElements(content: XmlContent): readonly XmlElement[] {
  if (content === null || typeof content === 'string') return [];
  return content.filter((node): node is XmlElement => typeof node !== 'string');
}

/**
 * Trims XML white space only (§2.3: space, TAB, CR, LF), for values that cannot carry it at
 * their ends (hrefs, status lines, sync tokens). String#trim would also eat NBSP and friends.
 */
export function trimXml(text: string): string {
  return text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}
