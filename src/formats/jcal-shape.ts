import { DavgateError } from '../model/errors';

/*
 * The shape of jCal (RFC 7265 §3) and jCard (RFC 7095 §3), which share one JSON layout:
 * a component is `[name, properties, components]`, a property `[name, parameters, type,
 * value, …]`. ical.js stringifies whatever it is given and fails with a TypeError, or writes
 * broken text, on anything else, so input from a client is checked here first.
 */

/** How deep components may nest (VCALENDAR > VEVENT > VALARM is 3). */
const MAX_DEPTH = 16;
/** RFC 7265 §3.3, §3.4: component, property and parameter names are lowercase iana-tokens or x-names. */
const NAME = /^[a-z0-9-]+$/;
/** RFC 7265 §3.5: value type names, lowercase. */
const TYPE = /^[a-z0-9-]+$/;
/**
 * Characters no iCalendar or vCard value can carry (RFC 5545 §3.1: CONTROL but HTAB; a line
 * break is written as `\n` in TEXT, so LF is allowed in JSON strings and CR is not).
 */
// eslint-disable-next-line no-control-regex -- control characters are what this rejects
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;

/** How many components and properties a document holds, to compare before and after a conversion. */
export interface ShapeCount {
  components: number;
  properties: number;
}

/**
 * Checks that `json` is one jCal/jCard object whose root component is `root` ('vcalendar' or
 * 'vcard') and counts its parts. Throws INPUT_INVALID naming the JSON path of the problem.
 */
export function checkShape(json: unknown, root: string, label: string): ShapeCount {
  const count: ShapeCount = { components: 0, properties: 0 };
  if (!Array.isArray(json) || typeof json[0] !== 'string') {
    throw invalid(label, '', `must be one ["${root}", properties, components] array`);
  }
  if (json[0] !== root) throw invalid(label, '[0]', `the root component must be "${root}", not ${JSON.stringify(json[0])}`);
  checkComponent(json, '', 0, count, label);
  return count;
}

/** Counts the components and properties of jCal/jCard that ical.js produced (already well-formed). */
export function countShape(json: unknown): ShapeCount {
  const count: ShapeCount = { components: 0, properties: 0 };
  const visit = (component: unknown): void => {
    if (!Array.isArray(component)) return;
    count.components++;
    count.properties += Array.isArray(component[1]) ? component[1].length : 0;
    if (Array.isArray(component[2])) for (const child of component[2]) visit(child);
  };
  if (Array.isArray(json) && typeof json[0] !== 'string') for (const c of json) visit(c);
  else visit(json);
  return count;
}

function checkComponent(component: unknown, path: string, depth: number, count: ShapeCount, label: string): void {
  if (depth >= MAX_DEPTH) throw invalid(label, path, `components nest deeper than ${MAX_DEPTH} levels`);
  if (!Array.isArray(component) || component.length !== 3) throw invalid(label, path, 'a component must be a [name, properties, components] array');
  const [name, properties, components] = component as unknown[];
  checkName(name, `${path}[0]`, 'component', label);
  if (!Array.isArray(properties)) throw invalid(label, `${path}[1]`, 'the properties of a component must be an array');
  if (!Array.isArray(components)) throw invalid(label, `${path}[2]`, 'the subcomponents of a component must be an array');
  count.components++;
  count.properties += properties.length;
  properties.forEach((property, i) => checkProperty(property, `${path}[1][${i}]`, label));
  components.forEach((child, i) => checkComponent(child, `${path}[2][${i}]`, depth + 1, count, label));
}

function checkProperty(property: unknown, path: string, label: string): void {
  if (!Array.isArray(property) || property.length < 4) {
    throw invalid(label, path, 'a property must be a [name, parameters, type, value, …] array with at least one value');
  }
  const [name, params, type, ...values] = property as unknown[];
  checkName(name, `${path}[0]`, 'property', label);
  checkParams(params, `${path}[1]`, label);
  if (typeof type !== 'string' || !TYPE.test(type)) throw invalid(label, `${path}[2]`, 'the value type must be a lowercase type name such as "text" or "date-time"');
  values.forEach((value, i) => checkValue(value, `${path}[${i + 3}]`, type === 'recur' ? 'recur' : 'plain', label));
}

function checkParams(params: unknown, path: string, label: string): void {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw invalid(label, path, 'the parameters must be an object');
  for (const [name, value] of Object.entries(params)) {
    checkName(name, `${path}.${name}`, 'parameter', label);
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (values.length === 0) throw invalid(label, `${path}.${name}`, 'a parameter needs a value');
    values.forEach((v) => checkString(v, `${path}.${name}`, label));
  }
}

/**
 * A value is text, a number or a boolean (RFC 7265 §3.6), an array of those or of arrays of
 * those (structured values, RFC 7095 §3.3.1.3), or for the RECUR type an object whose parts
 * are scalars or arrays of them (RFC 7265 §3.6.10).
 */
function checkValue(value: unknown, path: string, kind: 'plain' | 'recur', label: string): void {
  if (kind === 'recur' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, part] of Object.entries(value)) {
      checkName(key, `${path}.${key}`, 'recurrence rule part', label);
      checkScalars(part, `${path}.${key}`, 1, label);
    }
    return;
  }
  checkScalars(value, path, 0, label);
}

function checkScalars(value: unknown, path: string, depth: number, label: string): void {
  if (typeof value === 'string') return checkString(value, path, label);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(label, path, 'a number must be finite');
    return;
  }
  if (typeof value === 'boolean') return;
  if (depth < 2 && Array.isArray(value)) return value.forEach((v, i) => checkScalars(v, `${path}[${i}]`, depth + 1, label));
  throw invalid(label, path, 'a value must be a string, a number, a boolean, or an array of them (an object only for the recur type)');
}

function checkName(name: unknown, path: string, what: string, label: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) throw invalid(label, path, `a ${what} name must be lowercase letters, digits and '-'`);
}

function checkString(value: unknown, path: string, label: string): void {
  if (typeof value !== 'string') throw invalid(label, path, 'must be a string');
  if (CONTROL.test(value)) throw invalid(label, path, 'contains a control character (a line break is written as \\n alone, without CR)');
}

function invalid(label: string, path: string, message: string): DavgateError {
  const where = `${label}${path}`;
  return new DavgateError('INPUT_INVALID', `${where}: ${message}`, { path: where });
}
