import { z } from 'zod';
import { dav, type ClarkName } from '../model/clark';
import { DavgateError } from '../model/errors';
import type { DavError, DavResponse, MultiStatus, PropStat } from '../model/multistatus';
import { parseStatusLine, statusOf, type Status } from '../model/status';
import { trimXml, type PropValue, type XmlElement } from '../model/xml-content';
import type { CanonicalError, CanonicalMultiStatus, CanonicalPropStat, CanonicalResponse, JsonPropValue } from './canonical-types';
import { clarkNameSchema, clarkRecord, deepestIssue, elementSchema, elementToModel, formatIssuePath, propValueSchema, propValueToModel } from './prop-values';

const statusCode = z.union([z.int().min(100).max(599), z.null()]);
const error = z.strictObject({
  condition: clarkNameSchema.optional(),
  hrefs: z.array(z.string()).optional(),
  conditions: z.array(elementSchema).optional(),
});
const propstat = z.strictObject({
  status: statusCode,
  statusLine: z.string().optional(),
  props: clarkRecord(propValueSchema, 'props'),
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
  lockToken: z.string().optional(),
  detail: z.string().optional(),
  operationId: z.string().optional(),
  operationIndex: z.int().min(0).optional(),
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
    const issue = deepestIssue(result.error.issues[0] as z.core.$ZodIssue);
    throw new DavgateError('JSON_INVALID', issue.message, { path: formatIssuePath(issue.path) });
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

