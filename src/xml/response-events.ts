import type { ClarkName } from '../model/clark';
import type { DavError, DavResponse, PropStat } from '../model/multistatus';
import type { XmlContent } from '../model/xml-content';
import type { PrefixTable } from './prefixes';

/**
 * What a response is made of, in document order: elements opening and closing, and text.
 * One traversal (emitResponse) drives every way of writing a response, so they cannot
 * disagree on order. `where` names the place for error messages; it is only called on error.
 */
export interface ResponseSink {
  open(qname: string): void;
  attribute(qname: string, value: string, where: () => string): void;
  text(value: string, where: () => string): void;
  close(): void;
}

/**
 * RFC 4918 §14.24 order: href(s), then status or propstats, error, responsedescription,
 * location. Never both a status and propstats.
 */
export function emitResponse(response: DavResponse, index: number, prefixes: PrefixTable, sink: ResponseSink): void {
  const at = (what: string) => () => `responses[${index}] ${what}`;
  sink.open('D:response');
  if (response.kind === 'status') {
    for (const href of response.hrefs) leaf(sink, 'D:href', href, at('href'));
    leaf(sink, 'D:status', response.status.line, at('status'));
  } else {
    leaf(sink, 'D:href', response.href, at('href'));
    response.propstats.forEach((propstat, i) => emitPropStat(propstat, prefixes, sink, (what) => at(`propstats[${i}] ${what}`)));
  }
  emitError(response.error, prefixes, sink, at);
  if (response.description !== undefined) leaf(sink, 'D:responsedescription', response.description, at('responsedescription'));
  if (response.location !== undefined) {
    sink.open('D:location');
    leaf(sink, 'D:href', response.location, at('location'));
    sink.close();
  }
  sink.close();
}

function emitPropStat(propstat: PropStat, prefixes: PrefixTable, sink: ResponseSink, at: (what: string) => () => string): void {
  sink.open('D:propstat');
  sink.open('D:prop');
  for (const [name, value] of propstat.props) emitElement(name, value.attrs, value.value, prefixes, sink, at);
  sink.close();
  leaf(sink, 'D:status', propstat.status.line, at('status'));
  emitError(propstat.error, prefixes, sink, at);
  if (propstat.description !== undefined) leaf(sink, 'D:responsedescription', propstat.description, at('responsedescription'));
  sink.close();
}

function emitError(error: DavError | undefined, prefixes: PrefixTable, sink: ResponseSink, at: (what: string) => () => string): void {
  if (error === undefined) return;
  sink.open('D:error');
  for (const condition of error.conditions) emitElement(condition.name, condition.attrs, condition.value, prefixes, sink, at);
  sink.close();
}

/** One element (a property value, a condition) with its attributes and content. */
export function emitElement(
  name: ClarkName,
  attrs: ReadonlyMap<ClarkName, string> | undefined,
  value: XmlContent,
  prefixes: PrefixTable,
  sink: ResponseSink,
  at: (what: string) => () => string,
): void {
  sink.open(prefixes.qname(name));
  if (attrs !== undefined) for (const [attr, text] of attrs) sink.attribute(prefixes.qname(attr), text, at(`${name} @${attr}`));
  if (typeof value === 'string') sink.text(value, at(name));
  else if (value !== null) {
    for (const node of value) {
      if (typeof node === 'string') sink.text(node, at(name));
      else emitElement(node.name, node.attrs, node.value, prefixes, sink, at);
    }
  }
  sink.close();
}

/** An element holding only text. */
export function leaf(sink: ResponseSink, qname: string, text: string, where: () => string): void {
  sink.open(qname);
  sink.text(text, where);
  sink.close();
}
