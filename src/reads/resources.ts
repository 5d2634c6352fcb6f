import { splitClark, type ClarkName } from '../model/clark';
import type { DavResponse, MultiStatus, PropStat } from '../model/multistatus';
import { textOf, trimXml, type PropValue } from '../model/xml-content';

/** One property of a read resource, with the status of the propstat it came in. */
export interface ReadProperty {
  readonly name: ClarkName;
  readonly namespace: string;
  readonly localName: string;
  /** Null when the propstat's status line could not be read. */
  readonly status: number | null;
  /** The server said it does not have it, or could not give it (any non-2xx propstat). */
  readonly missing: boolean;
  readonly value: PropValue;
}

/**
 * One href of a read multistatus with every property of every propstat, in document order.
 * `status` is the response's own status for a status-only response (a 404 member of a
 * multiget), and null for a propstat response.
 */
export interface ReadResource {
  readonly href: string;
  readonly status: number | null;
  readonly properties: readonly ReadProperty[];
}

/** Every href of the multistatus as a ReadResource (a response with several hrefs gives one per href). */
export function resourcesOf(ms: MultiStatus): ReadResource[] {
  return ms.responses.flatMap(resourcesOfResponse);
}

function resourcesOfResponse(response: DavResponse): ReadResource[] {
  if (response.kind === 'status') return response.hrefs.map((href) => ({ href, status: response.status.code, properties: [] }));
  const properties: ReadProperty[] = [];
  for (const propstat of response.propstats) {
    const status = propstat.status.code;
    const missing = status === null || status < 200 || status > 299;
    for (const [name, value] of propstat.props) {
      const { namespace, local } = splitClark(name);
      properties.push({ name, namespace, localName: local, status, missing, value });
    }
  }
  return [{ href: response.href, status: null, properties }];
}

/** The property by Clark name when the server returned it with a 2xx. */
export function found(resource: ReadResource, name: ClarkName): PropValue | undefined {
  return resource.properties.find((p) => p.name === name && !p.missing)?.value;
}

/** The text of a property returned with a 2xx, trimmed of XML white space when `trim` (hrefs, tokens). */
export function foundText(resource: ReadResource, name: ClarkName, trim = false): string | undefined {
  const text = textOf(found(resource, name));
  return text === undefined || !trim ? text : trimXml(text);
}

/** The properties of some propstats, each with its propstat's status (a PROPPATCH result's, say). */
export function propertiesOf(propstats: readonly PropStat[] | undefined): readonly ReadProperty[] {
  if (propstats === undefined) return [];
  return resourcesOfResponse({ kind: 'propstat', href: '', propstats })[0]?.properties ?? [];
}
