import { create } from 'xmlbuilder2';
import { dav, NS, type ClarkName } from '../model/clark';
import type { PropValue } from '../model/xml-content';
import { BuilderSink } from './builder-sink';
import { escapeAttribute, escapeText } from './escape';
import { PrefixTable } from './prefixes';
import { emitElement, leaf, type ResponseSink } from './response-events';
import { documentShell, ShapeTemplates } from './templates';

/*
 * Request bodies of the methods a batch sends, built from the same property model the
 * multistatus uses, so a value read from one server can be written to another unchanged.
 * A gateway sends the same few shapes again and again (a PROPPATCH of one text property), so
 * the root with its declarations and the elements inside it come from templates of what
 * xmlbuilder2 writes, as the multistatus writer does; `{ templates: false }` builds the whole
 * document with xmlbuilder2 (test/xml/request-bodies.test.ts holds both to the same output).
 */

type Props = Iterable<readonly [ClarkName, PropValue]>;

/** Options for building a request body. */
export interface RequestBodyOptions {
  /** Reuse xmlbuilder2's serialization of each distinct shape (default true). */
  readonly templates?: boolean;
}

/** RFC 4918 §14.19 propertyupdate: the sets, then the removes, in that order (§9.2: applied in document order). */
export function propertyUpdateBody(set: Props, remove: readonly ClarkName[], options: RequestBodyOptions = {}): string {
  const sets = [...set];
  return document(dav('propertyupdate'), sets, remove, options, (sink, prefixes) => {
    if (sets.length > 0) writeSet(sink, sets, prefixes);
    if (remove.length > 0) {
      sink.open('D:remove');
      sink.open('D:prop');
      for (const name of remove) {
        sink.open(prefixes.qname(name));
        sink.close();
      }
      sink.close();
      sink.close();
    }
  });
}

/** RFC 5689 §5.1 extended MKCOL, or RFC 4791 §5.3.1 MKCALENDAR: the properties to set on creation. */
export function creationBody(kind: 'mkcol' | 'mkcalendar', set: Props, options: RequestBodyOptions = {}): string {
  const sets = [...set];
  const rootName = kind === 'mkcol' ? dav('mkcol') : `{${NS.CALDAV}}mkcalendar`;
  return document(rootName, sets, [], options, (sink, prefixes) => writeSet(sink, sets, prefixes));
}

/** RFC 4918 §14.11 lockinfo: a write lock of the scope, with the owner as text when given. */
export function lockInfoBody(scope: 'exclusive' | 'shared', owner: string | undefined, options: RequestBodyOptions = {}): string {
  return document(dav('lockinfo'), [], [], options, (sink) => {
    sink.open('D:lockscope');
    sink.open(`D:${scope}`);
    sink.close();
    sink.close();
    sink.open('D:locktype');
    sink.open('D:write');
    sink.close();
    sink.close();
    if (owner !== undefined) leaf(sink, 'D:owner', owner, () => 'the lock owner');
  });
}

const MAX_SHAPES = 256;
const MAX_SHELLS = 64;

/** Kept for the life of the process: the inner shapes, and the prolog and root tags by root and declarations. */
const inner = new ShapeTemplates(MAX_SHAPES, 'clear');
const shells = new Map<string, readonly [string, string]>();

type Fill = (sink: ResponseSink, prefixes: PrefixTable) => void;

function document(rootName: ClarkName, props: Props, names: readonly ClarkName[], options: RequestBodyOptions, fill: Fill): string {
  const prefixes = PrefixTable.ofProps(props, [rootName, ...names]);
  const qname = prefixes.qname(rootName);
  const declarations = prefixes.declarations();
  if (options.templates === false) {
    const sink = new BuilderSink(escapeText, escapeAttribute, create({ version: '1.0', encoding: 'utf-8' }).ele(qname, declarations));
    fill(sink, prefixes);
    return sink.end();
  }
  const [head, tail] = shell(qname, declarations);
  return head + inner.write((sink) => fill(sink, prefixes)) + tail;
}

/** documentShell, kept by root and declarations. */
function shell(qname: string, declarations: Record<string, string>): readonly [string, string] {
  let key = qname;
  for (const name in declarations) key += `\u0000${name}\u0000${declarations[name]}`;
  let parts = shells.get(key);
  if (parts === undefined) {
    parts = documentShell(qname, declarations);
    if (shells.size >= MAX_SHELLS) shells.clear();
    shells.set(key, parts);
  }
  return parts;
}

function writeSet(sink: ResponseSink, props: readonly (readonly [ClarkName, PropValue])[], prefixes: PrefixTable): void {
  sink.open('D:set');
  sink.open('D:prop');
  for (const [name, value] of props) emitElement(name, value.attrs, value.value, prefixes, sink, (what) => () => `property ${what}`);
  sink.close();
  sink.close();
}
