import { create } from 'xmlbuilder2';
import { dav, type ClarkName } from '../model/clark';
import { escapeText } from './escape';
import { PrefixTable } from './prefixes';

/**
 * RFC 6578 §6.1 sync-collection: `sync-token` (empty for the initial sync, §3.4), then
 * `sync-level` 1 (members only, §3.3), then the properties to return for each changed member.
 * The token goes in as the caller's exact text (escaped for XML, never trimmed or coerced:
 * §3.2 treats it as opaque). Throws XML_UNREPRESENTABLE for a token XML cannot carry.
 */
export function syncCollectionBody(syncToken: string | undefined, names: readonly ClarkName[] = [dav('getetag')]): string {
  const root = dav('sync-collection');
  const prefixes = PrefixTable.ofProps([], [root, ...names]);
  const body = create({ version: '1.0', encoding: 'utf-8' }).ele(prefixes.qname(root), prefixes.declarations());
  const token = body.ele('D:sync-token');
  if (syncToken !== undefined && syncToken !== '') token.txt(escapeText(syncToken, () => 'the sync token'));
  body.ele('D:sync-level').txt('1');
  const prop = body.ele('D:prop');
  for (const name of names) prop.ele(prefixes.qname(name));
  return body.end();
}
