import { xmlEntityDecoder } from './entities';

/**
 * Elements whose content is a text document of its own: iCalendar in `calendar-data`
 * (RFC 4791 §9.6), vCard in `address-data` (RFC 6352 §10.4). They are most of the bytes of a
 * CalDAV or CardDAV listing, and fast-xml-parser builds ordinary text one character at a
 * time; as "stop nodes" it copies their content in one piece and davgate decodes it here.
 */
const RAW_TEXT_ELEMENT = /<((?:[A-Za-z_][\w.-]*:)?(?:calendar|address)-data)[\s/>]/g;

/** More distinct spellings than this (a contrived document) and the ordinary path is used. */
const MAX_SPELLINGS = 8;

/** The qualified names (with the prefixes this document uses) of its raw-text elements. */
export function rawTextElementNames(xml: string): readonly string[] {
  const names = new Set<string>();
  for (const match of xml.matchAll(RAW_TEXT_ELEMENT)) {
    names.add(match[1] as string);
    if (names.size > MAX_SPELLINGS) return [];
  }
  return [...names].sort();
}

/**
 * The text of a raw-text element's content: entities decoded outside CDATA sections, CDATA
 * taken verbatim. Undefined when the content holds markup (elements, comments, processing
 * instructions), which the caller then parses as XML.
 */
export function decodeRawText(raw: string): string | undefined {
  let out = '';
  let from = 0;
  for (let open = raw.indexOf('<'); open !== -1; open = raw.indexOf('<', from)) {
    if (!raw.startsWith('<![CDATA[', open)) return undefined;
    const close = raw.indexOf(']]>', open + 9);
    if (close === -1) return undefined;
    out += xmlEntityDecoder.decode(raw.slice(from, open)) + raw.slice(open + 9, close);
    from = close + 3;
  }
  return out + xmlEntityDecoder.decode(raw.slice(from));
}
