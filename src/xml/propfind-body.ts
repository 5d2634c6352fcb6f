import { create } from 'xmlbuilder2';
import { dav, type ClarkName } from '../model/clark';
import { PrefixTable } from './prefixes';

/**
 * RFC 4918 §14.20 propfind: `<prop>` with the named properties, or `<allprop/>` when `names`
 * is 'allprop' (§9.1: allprop does not return every live property, which is why reads that
 * need CalDAV or CardDAV properties name them).
 */
export function propfindBody(names: readonly ClarkName[] | 'allprop'): string {
  const prefixes = PrefixTable.ofProps([], names === 'allprop' ? [dav('propfind')] : [dav('propfind'), ...names]);
  const root = create({ version: '1.0', encoding: 'utf-8' }).ele(prefixes.qname(dav('propfind')), prefixes.declarations());
  if (names === 'allprop') root.ele('D:allprop');
  else {
    const prop = root.ele('D:prop');
    for (const name of names) prop.ele(prefixes.qname(name));
  }
  return root.end();
}
