import { dav, type ClarkName } from '../model/clark';
import { DavgateError } from '../model/errors';
import type { DavError, DavResponse, MultiStatus, PropStat } from '../model/multistatus';
import { parseStatusLine, type Status } from '../model/status';
import { trimXml, type PropValue, type XmlElement } from '../model/xml-content';
import type { NamespaceScope } from './namespaces';
import type { OrderedNode, TreeBuilder } from './tree';

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
 * Reads the RFC 4918 §14.16 structure straight from the parser's output: only property
 * values and conditions become XmlElements, the structure around them does not. It is
 * lenient where servers are (QUIRKS.md 6, 13): children in any order, a sync-token anywhere
 * at the top level, a response carrying both a status and propstats (the propstats win:
 * only they say something per property). Unknown extension elements are ignored (RFC 4918 §17).
 */
export function readMultiStatus(nodes: readonly OrderedNode[], tree: TreeBuilder): MultiStatus {
  const root = tree.rootNode(nodes);
  if (root.name !== MULTISTATUS) throw new DavgateError('NOT_MULTISTATUS', `the root element is ${root.name}`);
  const responses: DavResponse[] = [];
  const ms: { responses: DavResponse[]; syncToken?: string; description?: string } = { responses };
  tree.forEachElement(root.node[root.tag] as readonly OrderedNode[], root.scope, (node, tag, name, scope) => {
    if (name === RESPONSE) readResponse(node, tag, scope, tree, responses);
    else if (name === SYNC_TOKEN) ms.syncToken = trimXml(tree.textOf(node, tag));
    else if (name === DESCRIPTION) ms.description = tree.textOf(node, tag);
  });
  return ms;
}

type Common = { error?: DavError; description?: string; location?: string };

function readResponse(element: OrderedNode, elementTag: string, elementScope: NamespaceScope, tree: TreeBuilder, into: DavResponse[]): void {
  const hrefs: string[] = [];
  const propstats: PropStat[] = [];
  let status: Status | undefined;
  const common: Common = {};
  tree.forEachElement(element[elementTag] as readonly OrderedNode[], elementScope, (node, tag, name, scope) => {
    switch (name) {
      case HREF: hrefs.push(trimXml(tree.textOf(node, tag))); break;
      case STATUS: status = readStatus(tree.textOf(node, tag)); break;
      case PROPSTAT: readPropStat(node, tag, scope, tree, propstats); break;
      case ERROR: common.error = readError(node, tag, scope, tree); break;
      case DESCRIPTION: common.description = tree.textOf(node, tag); break;
      case LOCATION: common.location = hrefIn(node, tag, scope, tree); break;
    }
  });
  if (hrefs.length === 0) hrefs.push('');
  if (propstats.length === 0) {
    into.push({ kind: 'status', hrefs, status: status ?? NO_STATUS, ...common });
    return;
  }
  // A propstat response names one href (§14.24); should a server list several, each gets the propstats.
  for (const href of hrefs) into.push({ kind: 'propstat', href, propstats, ...common });
}

/**
 * One propstat; a property named twice in one `prop` would collide in the map, so the second
 * occurrence moves to another propstat with the same status instead of being lost.
 */
function readPropStat(element: OrderedNode, elementTag: string, elementScope: NamespaceScope, tree: TreeBuilder, into: PropStat[]): void {
  const groups: Map<ClarkName, PropValue>[] = [new Map()];
  let status: Status = NO_STATUS;
  const extra: { error?: DavError; description?: string } = {};
  tree.forEachElement(element[elementTag] as readonly OrderedNode[], elementScope, (node, tag, name, scope) => {
    switch (name) {
      case PROP:
        tree.forEachElement(node[tag] as readonly OrderedNode[], scope, (propNode, propTag, propName, propScope) => {
          addProp(groups, propName, tree.propValue(propNode, propTag, propScope));
        });
        break;
      case STATUS: status = readStatus(tree.textOf(node, tag)); break;
      case ERROR: extra.error = readError(node, tag, scope, tree); break;
      case DESCRIPTION: extra.description = tree.textOf(node, tag); break;
    }
  });
  for (const props of groups) into.push({ status, props, ...extra });
}

/** A listing repeats a few status lines thousands of times: a bounded memo of the pure parseStatusLine. */
const statusCache = new Map<string, Status>();

function readStatus(text: string): Status {
  let status = statusCache.get(text);
  if (status === undefined) {
    status = parseStatusLine(trimXml(text));
    if (statusCache.size < 256) statusCache.set(text, status);
  }
  return status;
}

function addProp(groups: Map<ClarkName, PropValue>[], name: ClarkName, value: PropValue): void {
  for (const group of groups) {
    if (!group.has(name)) {
      group.set(name, value);
      return;
    }
  }
  groups.push(new Map([[name, value]]));
}

function readError(element: OrderedNode, elementTag: string, elementScope: NamespaceScope, tree: TreeBuilder): DavError {
  const conditions: XmlElement[] = [];
  tree.forEachElement(element[elementTag] as readonly OrderedNode[], elementScope, (node, tag, name, scope) => conditions.push(tree.element(node, tag, name, scope)));
  return { conditions };
}

function hrefIn(element: OrderedNode, elementTag: string, elementScope: NamespaceScope, tree: TreeBuilder): string {
  let href = '';
  tree.forEachElement(element[elementTag] as readonly OrderedNode[], elementScope, (node, tag, name) => {
    if (name === HREF) href = trimXml(tree.textOf(node, tag));
  });
  return href;
}
