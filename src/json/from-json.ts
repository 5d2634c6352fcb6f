import { z } from 'zod';
import { dav, isClarkName, type ClarkName } from '../model/clark';
import { DavgateError } from '../model/errors';
import type { DavError, DavResponse, MultiStatus, PropStat } from '../model/multistatus';
import { parseStatusLine, statusOf, type Status } from '../model/status';
import { trimXml, type PropValue, type XmlContent, type XmlElement } from '../model/xml-content';
import type { CanonicalError, CanonicalMultiStatus, CanonicalPropStat, CanonicalResponse, JsonContent, JsonElement, JsonPropValue } from './canonical-types';

const clarkName = z.string().refine(isClarkName, { message: 'not a Clark name ({namespace}local or local)' });

/**
 * A map keyed by Clark names. zod's own record turns a `__proto__` key into a prototype
 * (the value is lost and never checked), so keys are checked here on the object as JSON.parse
 * built it, and the object itself is passed through untouched.
 */
function clarkRecord<T>(values: z.ZodType<T>, what: string): z.ZodType<Record<string, T>> {
  return z.unknown().superRefine((input, ctx) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      ctx.addIssue({ code: 'custom', message: `${what} must be an object keyed by Clark names` });
      return;
    }
    for (const key of Object.keys(input)) {
      if (!isClarkName(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'not a Clark name ({namespace}local or local)' });
      const result = values.safeParse((input as Record<string, unknown>)[key]);
      if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: [key, ...issue.path] } as never);
    }
  }) as unknown as z.ZodType<Record<string, T>>;
}

const attrs = clarkRecord(z.string(), 'attrs');
const content: z.ZodType<JsonContent> = z.lazy(() => z.union([z.null(), z.string(), z.array(z.union([z.string(), element]))]));
// exactOptionalPropertyTypes: zod's optional() admits an explicit undefined, which JSON never produces.
const element = z.lazy(() => z.strictObject({ name: clarkName, attrs: attrs.optional(), value: content.optional() })) as unknown as z.ZodType<JsonElement>;
const propValue: z.ZodType<JsonPropValue> = z.union([content, z.strictObject({ attrs, value: content })]);
const statusCode = z.union([z.int().min(100).max(599), z.null()]);
const error = z.strictObject({
  condition: clarkName.optional(),
  hrefs: z.array(z.string()).optional(),
  conditions: z.array(element).optional(),
});
const propstat = z.strictObject({
  status: statusCode,
  statusLine: z.string().optional(),
  props: clarkRecord(propValue, 'props'),
  error: error.optional(),
  description: z.string().optional(),
});
const response = z.strictObject({
  href: z.string(),
  kind: z.enum(['Success', 'Created', 'Locked', 'Error']).optional(),
  status: statusCode.optional(),
  statusLine: z.string().optional(),
  code: z.string().optional(),
  retryable: z.boolean().optional(),
  etag: z.string().optional(),
  propstats: z.array(propstat).min(1).optional(),
  error: error.optional(),
  description: z.string().optional(),
  location: z.string().optional(),
});
const multistatus = z.strictObject({
  responses: z.array(response),
  syncToken: z.string().optional(),
  description: z.string().optional(),
});

/** Parses canonical JSON text into the model; a DavgateError names the path of any problem. */
export function parseCanonicalJson(text: string): MultiStatus {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DavgateError('JSON_MALFORMED', e instanceof Error ? e.message : String(e));
  }
  return fromCanonicalJson(value);
}

/**
 * Canonical JSON (already parsed) to the model. The derived fields (`kind`, `code`,
 * `retryable`, `etag`, and `status` of an entry with propstats) are accepted and ignored:
 * the model carries what they are derived from.
 */
export function fromCanonicalJson(value: unknown): MultiStatus {
  const result = multistatus.safeParse(value);
  if (!result.success) {
    const issue = deepest(result.error.issues[0] as z.core.$ZodIssue);
    throw new DavgateError('JSON_INVALID', issue.message, { path: formatPath(issue.path) });
  }
  return toModel(result.data as CanonicalMultiStatus);
}

function toModel(json: CanonicalMultiStatus): MultiStatus {
  const responses = json.responses.map((entry, i) => responseToModel(entry, `responses[${i}]`));
  return {
    responses,
    ...(json.syncToken === undefined ? {} : { syncToken: trimXml(json.syncToken) }),
    ...(json.description === undefined ? {} : { description: json.description }),
  };
}

function responseToModel(entry: CanonicalResponse, path: string): DavResponse {
  const common = {
    ...(entry.error === undefined ? {} : { error: errorToModel(entry.error) }),
    ...(entry.description === undefined ? {} : { description: entry.description }),
    ...(entry.location === undefined ? {} : { location: trimXml(entry.location) }),
  };
  const href = trimXml(entry.href);
  if (entry.propstats !== undefined) {
    const propstats = entry.propstats.map((p, i) => propStatToModel(p, `${path}.propstats[${i}]`));
    return { kind: 'propstat', href, propstats, ...common };
  }
  if (entry.status === undefined) throw new DavgateError('JSON_INVALID', 'an entry needs "propstats" or "status"', { path });
  return { kind: 'status', hrefs: [href], status: statusToModel(entry.status, entry.statusLine, path), ...common };
}

function propStatToModel(json: CanonicalPropStat, path: string): PropStat {
  const props = new Map<ClarkName, PropValue>();
  for (const name of Object.keys(json.props)) props.set(name, propValueToModel(json.props[name] as JsonPropValue));
  return {
    status: statusToModel(json.status, json.statusLine, path),
    props,
    ...(json.error === undefined ? {} : { error: errorToModel(json.error) }),
    ...(json.description === undefined ? {} : { description: json.description }),
  };
}

function statusToModel(code: number | null, line: string | undefined, path: string): Status {
  if (line === undefined) {
    if (code === null) throw new DavgateError('JSON_INVALID', 'a null status needs the "statusLine" it came from', { path: `${path}.status` });
    return statusOf(code);
  }
  const status = parseStatusLine(trimXml(line));
  if (status.code !== code) {
    throw new DavgateError('JSON_INVALID', `status ${String(code)} disagrees with statusLine "${line}"`, { path: `${path}.statusLine` });
  }
  return status;
}

function errorToModel(json: CanonicalError): DavError {
  if (json.conditions !== undefined) return { conditions: json.conditions.map(elementToModel) };
  if (json.condition === undefined) return { conditions: [] };
  const hrefs = (json.hrefs ?? []).map((href): XmlElement => ({ name: dav('href'), value: href }));
  return { conditions: [{ name: json.condition, value: hrefs.length === 0 ? null : hrefs }] };
}

function propValueToModel(json: JsonPropValue): PropValue {
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    return { attrs: attrsToModel(json.attrs), value: contentToModel(json.value) };
  }
  return { value: contentToModel(json) };
}

/** Same normal form as the parser gives: '' is no content, adjacent text merges. */
function contentToModel(json: JsonContent | undefined): XmlContent {
  if (json === undefined || json === null || json === '') return null;
  if (typeof json === 'string') return json;
  const nodes = json.map((node) => (typeof node === 'string' ? node : elementToModel(node)));
  return nodes.length === 0 ? null : nodes;
}

function elementToModel(json: JsonElement): XmlElement {
  const value = contentToModel(json.value);
  return json.attrs === undefined ? { name: json.name, value } : { name: json.name, attrs: attrsToModel(json.attrs), value };
}

function attrsToModel(json: Record<string, string>): ReadonlyMap<ClarkName, string> {
  return new Map(Object.keys(json).map((name) => [name, json[name] as string]));
}

/**
 * A value matching no branch of a union (content: null, text or nodes) is reported by zod as
 * "Invalid input" at the union; the branch that got furthest says what is actually wrong.
 */
function deepest(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  let best: z.core.$ZodIssue = issue;
  for (const branch of issue.errors) {
    for (const inner of branch) {
      const candidate = deepest({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue);
      if (candidate.path.length > best.path.length) best = candidate;
    }
  }
  return best;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(part))) out += out === '' ? String(part) : `.${String(part)}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out === '' ? '(root)' : out;
}
