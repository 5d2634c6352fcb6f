import { z } from 'zod';
import { isClarkName, type ClarkName } from '../model/clark';
import type { PropValue, XmlContent, XmlElement } from '../model/xml-content';
import type { JsonContent, JsonElement, JsonPropValue } from './canonical-types';

/*
 * zod schemas and converters for property values in the canonical JSON encoding, shared by
 * the multistatus JSON (from-json.ts) and the batch operations (src/operations).
 */

export const clarkNameSchema = z.string().refine(isClarkName, { message: 'not a Clark name ({namespace}local or local)' });

/**
 * A map keyed by Clark names. zod's own record turns a `__proto__` key into a prototype
 * (the value is lost and never checked), so keys are checked here on the object as JSON.parse
 * built it, and the object itself is passed through untouched.
 */
export function clarkRecord<T>(values: z.ZodType<T>, what: string): z.ZodType<Record<string, T>> {
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
const content: z.ZodType<JsonContent> = z.lazy(() => z.union([z.null(), z.string(), z.array(z.union([z.string(), elementSchema]))]));
// exactOptionalPropertyTypes: zod's optional() admits an explicit undefined, which JSON never produces.
export const elementSchema = z.lazy(() => z.strictObject({ name: clarkNameSchema, attrs: attrs.optional(), value: content.optional() })) as unknown as z.ZodType<JsonElement>;
export const propValueSchema: z.ZodType<JsonPropValue> = z.union([content, z.strictObject({ attrs, value: content })]);

/** A property value from its canonical JSON. */
export function propValueToModel(json: JsonPropValue): PropValue {
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

/** An element from its canonical JSON. */
export function elementToModel(json: JsonElement): XmlElement {
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
export function deepestIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  let best: z.core.$ZodIssue = issue;
  for (const branch of issue.errors) {
    for (const inner of branch) {
      const candidate = deepestIssue({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue);
      if (candidate.path.length > best.path.length) best = candidate;
    }
  }
  return best;
}

/** A zod issue path as `responses[2].propstats[0].props["{DAV:}x"]`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(part))) out += out === '' ? String(part) : `.${String(part)}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out === '' ? '(root)' : out;
}
