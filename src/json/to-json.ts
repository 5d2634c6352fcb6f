import { dav } from '../model/clark';
import type { DavError, MultiStatus, PropStat } from '../model/multistatus';
import type { Result } from '../model/result';
import { canonicalStatusLine, type Status } from '../model/status';
import type { PropValue, XmlContent, XmlElement } from '../model/xml-content';
import { toResults } from '../model/classify';
import type {
  CanonicalError, CanonicalMultiStatus, CanonicalPropStat, CanonicalResponse, JsonContent, JsonElement, JsonPropValue,
} from './canonical-types';

/** The canonical JSON of a multistatus produced by `method` (it decides how propstats classify). */
export function toCanonicalJson(ms: MultiStatus, method: string): CanonicalMultiStatus {
  const out: CanonicalMultiStatus = { responses: toResults(ms.responses, method).map(resultToJson) };
  if (ms.syncToken !== undefined) out.syncToken = ms.syncToken;
  if (ms.description !== undefined) out.description = ms.description;
  return out;
}

/** One result as its canonical JSON entry. */
export function resultToJson(result: Result): CanonicalResponse {
  const entry: CanonicalResponse = { href: result.href, kind: result.kind, status: result.status };
  const line = statusLineField({ code: result.status, line: result.statusLine });
  if (line !== undefined) entry.statusLine = line;
  if (result.kind === 'Error') {
    entry.code = result.code;
    entry.retryable = result.retryable;
  }
  if ((result.kind === 'Success' || result.kind === 'Created') && result.etag !== undefined) entry.etag = result.etag;
  if ((result.kind === 'Success' || result.kind === 'Created') && result.lockToken !== undefined) entry.lockToken = result.lockToken;
  if (result.kind === 'Error' && result.detail !== undefined) entry.detail = result.detail;
  if (result.operationId !== undefined) entry.operationId = result.operationId;
  if (result.operationIndex !== undefined) entry.operationIndex = result.operationIndex;
  if (result.propstats !== undefined) entry.propstats = result.propstats.map(propStatToJson);
  if (result.error !== undefined) entry.error = errorToJson(result.error);
  if (result.description !== undefined) entry.description = result.description;
  if (result.location !== undefined) entry.location = result.location;
  return entry;
}

function propStatToJson(propstat: PropStat): CanonicalPropStat {
  const props: Record<string, JsonPropValue> = Object.create(null) as Record<string, JsonPropValue>;
  for (const [name, value] of propstat.props) props[name] = propValueToJson(value);
  const line = statusLineField(propstat.status);
  const out: CanonicalPropStat = line === undefined ? { status: propstat.status.code, props } : { status: propstat.status.code, statusLine: line, props };
  if (propstat.error !== undefined) out.error = errorToJson(propstat.error);
  if (propstat.description !== undefined) out.description = propstat.description;
  return out;
}

function statusLineField(status: Status): string | undefined {
  return status.code !== null && status.line === canonicalStatusLine(status.code) ? undefined : status.line;
}

function errorToJson(error: DavError): CanonicalError {
  const [first] = error.conditions;
  if (first === undefined) return {};
  const out: CanonicalError = { condition: first.name };
  const hrefs = hrefsIn(first);
  if (hrefs.length > 0) out.hrefs = hrefs;
  if (error.conditions.length > 1 || !isPlainCondition(first)) out.conditions = error.conditions.map(elementToJson);
  return out;
}

function hrefsIn(condition: XmlElement): string[] {
  if (condition.value === null || typeof condition.value === 'string') return [];
  return condition.value.flatMap((n) => (typeof n !== 'string' && n.name === dav('href') && typeof n.value === 'string' ? [n.value] : []));
}

/** A condition `{ condition, hrefs }` says completely: no attributes, nothing but DAV:href text elements. */
function isPlainCondition(condition: XmlElement): boolean {
  if (condition.attrs !== undefined) return false;
  if (condition.value === null) return true;
  if (typeof condition.value === 'string') return false;
  return condition.value.every((n) => typeof n !== 'string' && n.name === dav('href') && n.attrs === undefined && typeof n.value === 'string');
}

/** A property value in the canonical encoding (README, "Canonical JSON"). */
export function propValueToJson(value: PropValue): JsonPropValue {
  const content = contentToJson(value.value);
  return value.attrs === undefined ? content : { attrs: attrsToJson(value.attrs), value: content };
}

function contentToJson(content: XmlContent): JsonContent {
  if (content === null || typeof content === 'string') return content;
  return content.map((node) => (typeof node === 'string' ? node : elementToJson(node)));
}

function elementToJson(element: XmlElement): JsonElement {
  const out: JsonElement = { name: element.name };
  if (element.attrs !== undefined) out.attrs = attrsToJson(element.attrs);
  if (element.value !== null) out.value = contentToJson(element.value);
  return out;
}

function attrsToJson(attrs: ReadonlyMap<string, string>): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [name, text] of attrs) out[name] = text;
  return out;
}
