import { create, fragment } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import type { ClarkName } from '../model/clark';
import type { DavError, DavResponse, MultiStatus, PropStat } from '../model/multistatus';
import type { XmlContent, XmlElement } from '../model/xml-content';
import { escapeAttribute, escapeText } from './escape';
import { PrefixTable } from './prefixes';

const BODY_MARK = '@@davgate-responses@@';

/**
 * The multistatus as pieces of text: the prolog and root start tag, one piece per response,
 * then the closing part. One xmlbuilder2 document for a whole large listing is superlinear
 * in time and memory (HARDENING.md), so each response is its own fragment; the namespaces are
 * declared once on the root. Never writes a response with both a status and propstats.
 */
export function* buildMultiStatusChunks(ms: MultiStatus): Generator<string> {
  const prefixes = PrefixTable.of(ms);
  const shell = create({ version: '1.0', encoding: 'utf-8' })
    .ele('D:multistatus', prefixes.declarations())
    .txt(BODY_MARK);
  const [head, tail] = shell.end().split(BODY_MARK) as [string, string];
  yield head;
  let index = 0;
  for (const response of ms.responses) yield buildResponse(response, index++, prefixes);
  if (ms.description !== undefined || ms.syncToken !== undefined) {
    const top = fragment();
    if (ms.description !== undefined) top.ele('D:responsedescription').txt(escapeText(ms.description, () => 'the responsedescription'));
    if (ms.syncToken !== undefined) top.ele('D:sync-token').txt(escapeText(ms.syncToken, () => 'the sync-token'));
    yield top.end();
  }
  yield tail;
}

/** The whole multistatus document as one string. */
export function buildMultiStatus(ms: MultiStatus): string {
  return Array.from(buildMultiStatusChunks(ms)).join('');
}

function buildResponse(response: DavResponse, index: number, prefixes: PrefixTable): string {
  const where = (what: string) => () => `responses[${index}] ${what}`;
  const writer = new ElementWriter(prefixes);
  const root = fragment();
  const el = root.ele('D:response');
  if (response.kind === 'status') {
    for (const href of response.hrefs) el.ele('D:href').txt(escapeText(href, where('href')));
    el.ele('D:status').txt(escapeText(response.status.line, where('status')));
  } else {
    el.ele('D:href').txt(escapeText(response.href, where('href')));
    response.propstats.forEach((propstat, i) => buildPropStat(el, propstat, writer, (what) => where(`propstats[${i}] ${what}`)));
  }
  buildError(el, response.error, writer, where);
  if (response.description !== undefined) el.ele('D:responsedescription').txt(escapeText(response.description, where('responsedescription')));
  if (response.location !== undefined) el.ele('D:location').ele('D:href').txt(escapeText(response.location, where('location')));
  return root.end();
}

function buildPropStat(parent: XMLBuilder, propstat: PropStat, writer: ElementWriter, where: (what: string) => () => string): void {
  const el = parent.ele('D:propstat');
  const prop = el.ele('D:prop');
  for (const [name, value] of propstat.props) writer.element(prop, name, value.attrs, value.value, where);
  el.ele('D:status').txt(escapeText(propstat.status.line, where('status')));
  buildError(el, propstat.error, writer, where);
  if (propstat.description !== undefined) el.ele('D:responsedescription').txt(escapeText(propstat.description, where('responsedescription')));
}

function buildError(parent: XMLBuilder, error: DavError | undefined, writer: ElementWriter, where: (what: string) => () => string): void {
  if (error === undefined) return;
  const el = parent.ele('D:error');
  for (const condition of error.conditions) writer.element(el, condition.name, condition.attrs, condition.value, where);
}

/** Writes property values and conditions: names through the prefix table, text escaped. */
class ElementWriter {
  constructor(private readonly prefixes: PrefixTable) {}

  element(
    parent: XMLBuilder,
    name: ClarkName,
    attrs: ReadonlyMap<ClarkName, string> | undefined,
    value: XmlContent,
    where: (what: string) => () => string,
  ): void {
    const el = parent.ele(this.prefixes.qname(name));
    // One att() call each: an attributes object would turn an attribute named __proto__ into a prototype.
    if (attrs !== undefined) for (const [attr, text] of attrs) el.att(this.prefixes.qname(attr), escapeAttribute(text, where(`${name} @${attr}`)));
    if (value === null) return;
    if (typeof value === 'string') {
      el.txt(escapeText(value, where(name)));
      return;
    }
    for (const node of value) {
      if (typeof node === 'string') el.txt(escapeText(node, where(name)));
      else this.child(el, node, where);
    }
  }

  private child(parent: XMLBuilder, element: XmlElement, where: (what: string) => () => string): void {
    this.element(parent, element.name, element.attrs, element.value, where);
  }
}
