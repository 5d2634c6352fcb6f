import { dav, type ClarkName } from '../model/clark';
import { DavgateError } from '../model/errors';
import type { DavError, DavResponse, MultiStatus, PropStat } from '../model/multistatus';
import { parseStatusLine, type Status } from '../model/status';
import { childElements, trimXml, type PropValue, type XmlContent, type XmlElement } from '../model/xml-content';

const MULTISTATUS = dav('multistatus');
const RESPONSE = dav('response');
const HREF = dav('href');
const STATUS = dav('status');
const PROPSTAT = dav('propstat');
const PROP = dav('prop');
const ERROR = dav('error');
const DESCRIPTION = dav('responsedescription');
const LOCATION = dav('location');
const SYNC_TOKEN = dav('sync-token');

const NO_STATUS: Status = { code: null, line: '' };

/**
 * Reads the RFC 4918 §14.16 structure out of a namespace-resolved document. It is lenient
 * where servers are (QUIRKS.md 6, 13): children in any order, a sync-token anywhere at the
 * top level, a response carrying both a status and propstats (the propstats win: only they
 * say something per property). Unknown extension elements are ignored (RFC 4918 §17).
 */
export function readMultiStatus(root: XmlElement): MultiStatus {
  if (root.name !== MULTISTATUS) throw new DavgateError('NOT_MULTISTATUS', `the root element is ${root.name}`);
  const responses: DavResponse[] = [];
  let syncToken: string | undefined;
  let description: string | undefined;
  for (const child of childElements(root.value)) {
    if (child.name === RESPONSE) responses.push(...readResponse(child));
    else if (child.name === SYNC_TOKEN) syncToken = trimXml(textContent(child.value));
    else if (child.name === DESCRIPTION) description = textContent(child.value);
  }
  return withOptional({ responses }, { syncToken, description });
}

function readResponse(element: XmlElement): DavResponse[] {
  const hrefs: string[] = [];
  const propstats: PropStat[] = [];
  let status: Status | undefined;
  let error: DavError | undefined;
  let description: string | undefined;
  let location: string | undefined;
  for (const child of childElements(element.value)) {
    switch (child.name) {
      case HREF: hrefs.push(trimXml(textContent(child.value))); break;
      case STATUS: status = readStatus(child); break;
      case PROPSTAT: propstats.push(...readPropStat(child)); break;
      case ERROR: error = readError(child); break;
      case DESCRIPTION: description = textContent(child.value); break;
      case LOCATION: location = hrefIn(child); break;
    }
  }
  const common = withOptional({}, { error, description, location });
  if (propstats.length === 0) return [{ kind: 'status', hrefs: hrefs.length === 0 ? [''] : hrefs, status: status ?? NO_STATUS, ...common }];
  // A propstat response names one href (§14.24); should a server list several, each gets the propstats.
  return (hrefs.length === 0 ? [''] : hrefs).map((href) => ({ kind: 'propstat', href, propstats, ...common }));
}

/**
 * One propstat; a property named twice in one `prop` would collide in the map, so the second
 * occurrence moves to another propstat with the same status instead of being lost.
 */
function readPropStat(element: XmlElement): PropStat[] {
  const groups: Map<ClarkName, PropValue>[] = [new Map()];
  let status: Status = NO_STATUS;
  let error: DavError | undefined;
  let description: string | undefined;
  for (const child of childElements(element.value)) {
    switch (child.name) {
      case PROP:
        for (const prop of childElements(child.value)) addProp(groups, prop.name, propValue(prop));
        break;
      case STATUS: status = readStatus(child); break;
      case ERROR: error = readError(child); break;
      case DESCRIPTION: description = textContent(child.value); break;
    }
  }
  return groups.map((props) => withOptional({ status, props }, { error, description }));
}

function addProp(groups: Map<ClarkName, PropValue>[], name: ClarkName, value: PropValue): void {
  let group = groups.find((g) => !g.has(name));
  if (group === undefined) {
    group = new Map();
    groups.push(group);
  }
  group.set(name, value);
}

function propValue(element: XmlElement): PropValue {
  return element.attrs === undefined ? { value: element.value } : { attrs: element.attrs, value: element.value };
}

function readStatus(element: XmlElement): Status {
  return parseStatusLine(trimXml(textContent(element.value)));
}

function readError(element: XmlElement): DavError {
  return { conditions: childElements(element.value) };
}

function hrefIn(element: XmlElement): string {
  const href = childElements(element.value).find((e) => e.name === HREF);
  return href === undefined ? '' : trimXml(textContent(href.value));
}

/** The text of content that should be text; element children contribute nothing. */
function textContent(value: XmlContent): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  return value.filter((n): n is string => typeof n === 'string').join('');
}

/** Adds the fields whose values are defined (exactOptionalPropertyTypes: absent, not undefined). */
export function withOptional<T extends object, O extends Record<string, unknown>>(
  base: T,
  optional: O,
): T & { [K in keyof O]?: Exclude<O[K], undefined> } {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const key of Object.keys(optional)) if (optional[key] !== undefined) out[key] = optional[key];
  return out as T & { [K in keyof O]?: Exclude<O[K], undefined> };
}
