import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { dav, NS, type ClarkName } from '../model/clark';
import type { PropValue } from '../model/xml-content';
import { BuilderSink } from './builder-sink';
import { escapeAttribute, escapeText } from './escape';
import { PrefixTable } from './prefixes';
import { emitElement } from './response-events';

/*
 * Request bodies of the methods a batch sends, built with xmlbuilder2 from the same
 * property model the multistatus uses, so a value read from one server can be written to
 * another unchanged.
 */

type Props = Iterable<readonly [ClarkName, PropValue]>;

/** RFC 4918 §14.19 propertyupdate: the sets, then the removes, in that order (§9.2: applied in document order). */
export function propertyUpdateBody(set: Props, remove: readonly ClarkName[]): string {
  const sets = [...set];
  return document(dav('propertyupdate'), sets, remove, (root, prefixes) => {
    if (sets.length > 0) writeProps(root.ele('D:set'), sets, prefixes);
    if (remove.length > 0) {
      const prop = root.ele('D:remove').ele('D:prop');
      for (const name of remove) prop.ele(prefixes.qname(name));
    }
  });
}

/** RFC 5689 §5.1 extended MKCOL, or RFC 4791 §5.3.1 MKCALENDAR: the properties to set on creation. */
export function creationBody(kind: 'mkcol' | 'mkcalendar', set: Props): string {
  const sets = [...set];
  const rootName = kind === 'mkcol' ? dav('mkcol') : `{${NS.CALDAV}}mkcalendar`;
  return document(rootName, sets, [], (root, prefixes) => writeProps(root.ele('D:set'), sets, prefixes));
}

/** RFC 4918 §14.11 lockinfo: a write lock of the scope, with the owner as text when given. */
export function lockInfoBody(scope: 'exclusive' | 'shared', owner: string | undefined): string {
  return document(dav('lockinfo'), [], [], (root) => {
    root.ele('D:lockscope').ele(`D:${scope}`);
    root.ele('D:locktype').ele('D:write');
    if (owner !== undefined) root.ele('D:owner').txt(escapeText(owner, () => 'the lock owner'));
  });
}

function document(rootName: ClarkName, props: Props, names: readonly ClarkName[], fill: (root: XMLBuilder, prefixes: PrefixTable) => void): string {
  const prefixes = PrefixTable.ofProps(props, [rootName, ...names]);
  const root = create({ version: '1.0', encoding: 'utf-8' }).ele(prefixes.qname(rootName), prefixes.declarations());
  fill(root, prefixes);
  return root.end();
}

function writeProps(parent: XMLBuilder, props: Props, prefixes: PrefixTable): void {
  const prop = parent.ele('D:prop');
  const sink = new BuilderSink((value, where) => escapeText(value, where), (value, where) => escapeAttribute(value, where), prop);
  for (const [name, value] of props) emitElement(name, value.attrs, value.value, prefixes, sink, (what) => () => `property ${what}`);
}
